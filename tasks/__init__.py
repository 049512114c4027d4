"""Benchmark tasks and their judges (imported as ``pot.tasks``)."""
