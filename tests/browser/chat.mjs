// Drives JupyterLab's chat in Debian's Chromium: create a chat, ask @PoT a question,
// wait for the steps, the figure and the answer, save a screenshot, then press stop
// on a second question that runs long.
//
// Usage: node chat.mjs BASE_URL SCREENSHOT_PATH
// The server must run the PoT persona with a scripted model (see tests/test_persona_browser.py).
import { chromium } from 'playwright-core';

const [baseUrl, screenshot] = process.argv.slice(2);
const QUESTION =
  'Four parcels cost 3, 5, 7 and 11 dollars. What do they cost together? Plot the running total.';
const LONG_QUESTION = 'Count to a billion, slowly.';
const TIMEOUT = 90_000;

function log(message) {
  console.log(`[chat.mjs] ${message}`);
}

// Resolves once the file exists beside the chat (the server's contents API), or throws.
async function fileAppears(name) {
  const url = new URL(`api/contents/${name}?content=0`, baseUrl).href;
  const deadline = Date.now() + TIMEOUT;
  while ((await fetch(url)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${name} never appeared beside the chat`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(new URL('lab', baseUrl).href);
  await page.locator('#jp-main-dock-panel').waitFor();

  // a new chat, from the menu as a user would make it: File > New > Chat
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^File$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^New$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Chat$/ }).click();
  const input = page.locator('.jp-chat-input-container textarea[placeholder]');
  await input.waitFor();
  log('chat created');
  const news = page.locator('.jp-toast-button', { hasText: /^No$/ });
  if (await news.count()) await news.first().click();

  // talk to PoT (the persona picker names the persona that receives the message)
  const picker = page.locator('.jp-jai-personaControls-persona');
  await picker.waitFor();
  if ((await picker.innerText()).trim() !== 'PoT') {
    await page.locator('.jp-jai-personaControls-persona-btn').click();
    await page.getByRole('menuitem', { name: 'PoT' }).click();
  }
  await input.fill(QUESTION);
  await input.press('Enter');
  log('question sent');

  const messages = page.locator('.jp-chat-messages-container');
  await messages.getByText('Answer: 26', { exact: false }).waitFor();
  await messages.locator('pre code, pre').filter({ hasText: 'running' }).first().waitFor();
  const figure = messages.locator('img[src^="data:image/png"]');
  await figure.first().waitFor();
  await page.waitForFunction(
    () => [...document.querySelectorAll('.jp-chat-messages-container img[src^="data:image/png"]')]
      .every((img) => img.complete && img.naturalWidth > 0),
  );
  log('steps, figure and answer shown');
  await page.locator('.jp-SideBar .lm-TabBar-tab.lm-mod-current').first().click(); // files away
  await page.waitForFunction(
    () => document.querySelector('#jp-left-stack')?.classList.contains('lm-mod-hidden'),
  );
  // the layout follows in the next frames
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await messages.getByText(QUESTION).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot });
  log(`screenshot saved to ${screenshot}`);

  // the stop button interrupts a step that would run for a minute
  await input.fill(LONG_QUESTION);
  await input.press('Enter');
  const stop = page.locator('button.jp-jai-stopButton');
  await page.waitForFunction(
    () => !document.querySelector('button.jp-jai-stopButton')?.disabled,
  );
  await fileAppears('running.txt'); // the step runs in the kernel
  await stop.click();
  await messages.getByText('Stopped.', { exact: false }).waitFor({ timeout: 20_000 });
  log('stopped');
  console.log('CHAT_TEST_OK');
} finally {
  await browser.close();
}
