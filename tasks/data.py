"""Where benchmark files come from: a data folder, a cache, or their public origin.

Lookup order for a file such as ``gsm8k/test.jsonl``:

1. the data folder given as an argument, else the ``POT_DATA`` environment variable;
2. the cache, ``$POT_CACHE/data`` (default ``~/.cache/pot/data``);
3. a download from the file's public origin into the cache, checked against its sha256.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from pot.tasks.base import ChecksumError, DataUnavailableError

_RAW = "https://raw.githubusercontent.com"

_ORIGINS: dict[str, str] = {
    "gsm8k": f"{_RAW}/openai/grade-school-math/HEAD/grade_school_math/data",
    "svamp": f"{_RAW}/arkilpatel/SVAMP/HEAD",
    "math500": f"{_RAW}/ZubinGou/math-evaluation-harness/HEAD/data/math_oai",
    "bbh": f"{_RAW}/suzgunmirac/BIG-Bench-Hard/HEAD/bbh",
    "cruxeval": f"{_RAW}/facebookresearch/cruxeval/HEAD/data",
}

# sha256 of each file; gsm8k and math500 from shared/data/SOURCES.md, the others
# computed from the shared copies of the same upstream files.
SHA256: dict[str, str] = {
    "gsm8k/test.jsonl": "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14",
    "math500/test.jsonl": "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132",
    "svamp/SVAMP.json": "5be77703a6d891ae476d7c082787ad361392aa02453b132516cdd5f4e7934e3e",
    "cruxeval/cruxeval.jsonl": "8368b81047dc5014e4caf5a2f97604eff7644e0ecd7415e3ceeb184bbc2e0c96",
    "bbh/boolean_expressions.json": (
        "ea6c754ec005e2d3f2d085d349a740f593b5764f32ea4638ffed4cfc0061b12a"
    ),
    "bbh/causal_judgement.json": "6e8bca44dd402008ed41c07a3d0a1d5e7b03db7001a7e002fcdf4c60985ea081",
    "bbh/date_understanding.json": (
        "0148d4ac5fca05b2f82373e5fef7208e15363b9c6079493034d77b3dab496bf5"
    ),
    "bbh/disambiguation_qa.json": (
        "cf06df9ebf911b883671cb1b35d3fbd1a1c306b19b9e9a012407e596c85fe8c6"
    ),
    "bbh/dyck_languages.json": "3f9badedf15c2be1ce53d94fdf016299bb30ba231ef087ab9f51a7ed6d0bdc25",
    "bbh/formal_fallacies.json": "4c1adb664821157faade1d4153685403afcc02648f3c180a608a18f17f589629",
    "bbh/geometric_shapes.json": "07be68a124420caa2ebc0b2c858ad79fc55c5c8806170e496e1e17ebfb11f31c",
    "bbh/hyperbaton.json": "b6d7f55c75f5d02f2987a4f3123802dfa093872089a56a334144aae8a7264fdc",
    "bbh/logical_deduction_five_objects.json": (
        "d2df31394b903b7f0e085d42a69572a092987856eac076799017d70ef266fa8f"
    ),
    "bbh/logical_deduction_seven_objects.json": (
        "2896c7e3482eea318dd37bcc370d24ec3cc91e8374c1784287b5dbd38a529e33"
    ),
    "bbh/logical_deduction_three_objects.json": (
        "e590fae72e3a6041fbd23bd8ff6b74baf44ca563f6ba40a041c55e7b867c1681"
    ),
    "bbh/movie_recommendation.json": (
        "a8b53a87ee21a865b7248e694f388a9b8f7cf6b839b11d44796a2dd3fc088983"
    ),
    "bbh/multistep_arithmetic_two.json": (
        "c9d5a6433c9b78256422a15c78463949c8bec8d85607aa28b52d7234ad4a8595"
    ),
    "bbh/navigate.json": "b7944dfd3c81da5c4815bd75b00d6fa3c64140823498e78ed496f4c3d36f7f0d",
    "bbh/object_counting.json": "8acef14dbbdd40d2326ef7755750b6b5fe919fef06276af1bab3f1c297f022ff",
    "bbh/penguins_in_a_table.json": (
        "bb87ee449698eee51215e025a453b1bcb2f5e6589c2063b2c79e68b8f0655228"
    ),
    "bbh/reasoning_about_colored_objects.json": (
        "0a8850cf95166020fce7a78244026ceedd7ea839302471512b4f8744e85a6a49"
    ),
    "bbh/ruin_names.json": "b6f723aef2bafdd4c7bfc3c7e0329c7e8a8279391a609969c8ed76c9319f5f7f",
    "bbh/salient_translation_error_detection.json": (
        "becf3eb8dd53c821a555ecd5c1334ecd93eb25f980e63be963c518e7138de5da"
    ),
    "bbh/snarks.json": "54a0661fe2de06167645a4965e6bcf963c4ba307e76262a7c750998b0e3d0d0e",
    "bbh/sports_understanding.json": (
        "63ca262858f6176864515cd8cf53cdaa40839ebecc155b726d77930855d167bf"
    ),
    "bbh/temporal_sequences.json": (
        "92a1189faaa84aacc4c405aaa13f13f48c2992eb884772eedb622505252baef5"
    ),
    "bbh/tracking_shuffled_objects_five_objects.json": (
        "2063a46a4fb484236ed4310523606543a3e1dd4a4dc34eda65d407910ece25a5"
    ),
    "bbh/tracking_shuffled_objects_seven_objects.json": (
        "b59fd05b850c37cf57cb514ae1e6975c00b1638ade2291722056b2af3c54084d"
    ),
    "bbh/tracking_shuffled_objects_three_objects.json": (
        "546cc7bf10c6a01a6a4c17ae28a4966485f21f29fd5d111f37858ec78e354f6b"
    ),
    "bbh/web_of_lies.json": "3e60323f8514a107fdb4edf35f8832a9171c5a09c0eaa47823559de905e8ab8b",
    "bbh/word_sorting.json": "2a6132d2c99f00d0d2eb1113ac6b4a918bd969d863c48749210d969713db8d43",
}

DOWNLOAD_TIMEOUT = 30.0
"""Seconds to wait for the origin server before giving up on a download."""


def data_dir_from_env() -> Path | None:
    """The data folder named by ``POT_DATA``, or None when it is unset or empty."""
    value = os.environ.get("POT_DATA", "").strip()
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """The download cache: ``$POT_CACHE/data``, by default ``~/.cache/pot/data``."""
    root = os.environ.get("POT_CACHE", "").strip()
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "pot") / "data"


def origin_url(relative: str) -> str:
    """The public URL a benchmark file is downloaded from.

    Args:
        relative: The file's path inside the data folder, e.g. ``"gsm8k/test.jsonl"``.

    Raises:
        DataUnavailableError: No origin is known for that file.
    """
    folder, _, name = relative.partition("/")
    if folder not in _ORIGINS or not name:
        raise DataUnavailableError(f"No public origin is known for {relative!r}.")
    return f"{_ORIGINS[folder]}/{name}"


def data_file(relative: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Find a benchmark file, downloading it into the cache when no folder has it.

    Args:
        relative: The file's path inside the data folder, e.g. ``"gsm8k/test.jsonl"``.
        data_dir: The data folder; defaults to ``POT_DATA``.

    Returns:
        The path of a readable copy of the file.

    Raises:
        DataUnavailableError: The file is nowhere and could not be downloaded.
        ChecksumError: The download does not match its pinned sha256.
    """
    folder = Path(data_dir).expanduser() if data_dir is not None else data_dir_from_env()
    if folder is not None and (folder / relative).is_file():
        return folder / relative
    cached = cache_dir() / relative
    if cached.is_file():
        return cached
    download(origin_url(relative), cached, sha256=SHA256.get(relative), name=relative)
    return cached


def download(url: str, target: Path, *, sha256: str | None = None, name: str = "") -> None:
    """Download ``url`` to ``target`` atomically, checking its sha256 when one is given.

    Args:
        url: Where to download from (``https://`` or ``file://``).
        target: The final path; written through a temporary file and renamed.
        sha256: The expected hex digest, or None to skip the check.
        name: What to call the file in error messages (default: the target's name).

    Raises:
        DataUnavailableError: The download failed.
        ChecksumError: The content does not match ``sha256``.
    """
    label = name or target.name
    hint = (
        f"Set POT_DATA (or pass --data; data_dir= in Python) to a folder that holds {label}, "
        f"or place the file at {target}."
    )
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            content = response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DataUnavailableError(
            f"Could not download {label} from {url} ({reason}). {hint}"
        ) from error
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and digest != sha256:
        raise ChecksumError(
            f"Downloaded {label} from {url} has sha256 {digest}, expected {sha256}: "
            f"the upstream file changed or the download was corrupted. {hint}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
