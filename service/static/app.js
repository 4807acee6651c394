// The newsattrib web page: posts a page to /v1/summarize and shows, per article, the publisher's bullets
// beside the generated summary, and the article text with every quote marked and its speaker as a chip.
//
// The API's offsets count Python code points; JavaScript strings count UTF-16 units, so the text is
// sliced as an array of code points (SourceText), never with String.prototype.slice.

const API_PATH = "/v1/summarize";
// Larger files are refused here, before the browser reads them; the server's own limit answers 413.
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_AUTO_RETRIES = 3;
const MAX_RETRY_WAIT_S = 60;
const FILE_TYPES = { ".txt": "text/plain", ".html": "text/html", ".htm": "text/html" };
const KIND_LABELS = { direct: "direct quote", partial: "partial quote", indirect: "reported statement" };
const ERROR_TITLES = {
  400: "The page could not be decoded",
  413: "The page is too large",
  415: "This kind of input is not supported",
  422: "Nothing could be analysed",
  503: "The server is busy",
  504: "The analysis took too long",
};
const ERROR_HINTS = {
  413: "Send a shorter page, or one article at a time.",
  415: "Paste the text, or open a .txt or .html file.",
  422: "Check that the text holds an article's paragraphs, not only links, menus or blank lines.",
  504: "Try again; a shorter page answers faster.",
};

const byId = (id) => document.getElementById(id);
const form = byId("page-form");
const textArea = byId("page-text");
const fileInput = byId("page-file");
const fileName = byId("file-name");
const dropZone = byId("drop-zone");
const submitButton = byId("submit");
const statusLine = byId("status");
const errorBox = byId("error");
const results = byId("results");
const modelInfo = byId("model-info");
const articleTemplate = byId("article-template");

// The file whose text the text area holds, until the user edits it: posted with the file's own type.
let loadedFile = null;
let retryTimer = null;

class SourceText {
  constructor(text) {
    this.chars = Array.from(text);
  }

  get length() {
    return this.chars.length;
  }

  slice(start, end) {
    return this.chars.slice(start, end).join("");
  }
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function isSpan(value) {
  return Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && value[0] < value[1];
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

// ---- status and errors ----------------------------------------------------------------------------------

function setStatus(text) {
  statusLine.textContent = text;
}

function setBusy(busy) {
  submitButton.disabled = busy;
  results.setAttribute("aria-busy", String(busy));
}

function hideError() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

function showError({ title, message, hint, requestId, retry, stopRetry }) {
  const parts = [element("h2", {}, title)];
  if (message) parts.push(element("p", { className: "error-message" }, message));
  if (hint) parts.push(element("p", { className: "error-hint" }, hint));
  if (requestId) parts.push(element("p", { className: "request-id" }, `Request id: ${requestId}`));
  if (retry) {
    const again = element("button", { type: "button", className: "retry" }, "Try again now");
    again.addEventListener("click", () => submitPage(0));
    parts.push(again);
  }
  if (stopRetry) {
    const stop = element("button", { type: "button", className: "stop-retry" }, "Stop retrying");
    stop.addEventListener("click", () => {
      clearTimeout(retryTimer);
      showError({ title, message, requestId, retry: true });
    });
    parts.push(stop);
  }
  errorBox.replaceChildren(...parts);
  errorBox.hidden = false;
}

// Retry-After is delta-seconds or an HTTP date (RFC 9110, 10.2.3).
function retryAfterSeconds(header) {
  if (!header) return 1;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(wait) ? Math.min(Math.max(wait, 0), MAX_RETRY_WAIT_S) : 1;
}

function handleErrorResponse(response, payload, attempt) {
  const status = response.status;
  const title = ERROR_TITLES[status] || `The server answered ${status} ${response.statusText}`.trim();
  const error = {
    title,
    message: payload?.message || "",
    hint: ERROR_HINTS[status],
    requestId: payload?.request_id,
    retry: status >= 500,
  };
  if (status === 503 && attempt < MAX_AUTO_RETRIES) {
    const wait = retryAfterSeconds(response.headers.get("Retry-After"));
    const next = attempt + 1;
    showError({
      ...error,
      hint: `Retrying automatically in ${Math.ceil(wait)} s (retry ${next} of ${MAX_AUTO_RETRIES}).`,
      retry: false,
      stopRetry: true,
    });
    setStatus("The server is busy; waiting to retry.");
    retryTimer = setTimeout(() => submitPage(next), wait * 1000);
    return;
  }
  if (status === 503) error.hint = "It stayed busy after several retries; try again in a moment.";
  showError(error);
  setStatus("");
}

// ---- request ----------------------------------------------------------------------------------------------

function requestFor(text) {
  if (loadedFile && loadedFile.text === text && loadedFile.contentType === "text/html") {
    return { headers: { "Content-Type": "text/html; charset=utf-8" }, body: text };
  }
  return { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) };
}

async function submitPage(attempt = 0) {
  clearTimeout(retryTimer);
  const text = textArea.value;
  if (!text.trim()) {
    showError({ title: "Nothing to analyse", message: "Paste a page into the box, or open a file, first." });
    textArea.focus();
    return;
  }
  hideError();
  setBusy(true);
  setStatus(attempt ? `Retrying (retry ${attempt} of ${MAX_AUTO_RETRIES})…` : "Analysing the page…");
  let response;
  let payload = null;
  try {
    response = await fetch(API_PATH, { method: "POST", ...requestFor(text) });
    payload = await response.json().catch(() => null);
  } catch (error) {
    setBusy(false);
    setStatus("");
    showError({ title: "The server could not be reached", message: String(error.message || error), retry: true });
    return;
  }
  setBusy(false);
  if (response.ok && payload) {
    render(payload, text);
  } else {
    handleErrorResponse(response, payload, attempt);
  }
}

// ---- files --------------------------------------------------------------------------------------------------

function fileType(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : FILE_TYPES[name.slice(dot).toLowerCase()];
}

async function openFile(file) {
  const contentType = fileType(file.name);
  if (!contentType) {
    showError({ title: "This kind of file is not supported", message: `${file.name}: open a .txt or .html file.` });
    return;
  }
  if (file.size > MAX_FILE_BYTES) {
    showError({
      title: "The file is too large",
      message: `${file.name} has ${(file.size / 1048576).toFixed(1)} MB; files up to ${MAX_FILE_BYTES / 1048576} MB are read.`,
    });
    return;
  }
  const text = await file.text();
  textArea.value = text;
  loadedFile = { name: file.name, text, contentType };
  fileName.textContent = `Loaded ${file.name}.`;
  hideError();
}

// ---- rendering -----------------------------------------------------------------------------------------

function render(documentOut, postedText) {
  // For HTML input every offset indexes the extracted text; otherwise the text exactly as posted.
  const source = new SourceText(documentOut.source_text ?? postedText);
  const articles = Array.isArray(documentOut.articles) ? documentOut.articles : [];
  let quoted = 0;
  let reported = 0;
  const nodes = articles.map((article, index) => {
    const quotes = Array.isArray(article.quotes) ? article.quotes : [];
    quoted += quotes.filter((quote) => quote.kind !== "indirect").length;
    reported += quotes.filter((quote) => quote.kind === "indirect").length;
    return renderArticle(article, index, source);
  });
  results.replaceChildren(...nodes);
  const summaryLine = [
    plural(articles.length, "article", "articles"),
    plural(quoted, "quote", "quotes"),
    plural(reported, "reported statement", "reported statements"),
  ].join(", ");
  setStatus(`Found ${summaryLine}.`);
  const model = documentOut.model;
  const total = documentOut.timings_ms?.total;
  modelInfo.textContent = model
    ? `Summaries by ${model.generator} (${model.name} ${model.version})${total ? `, ${Math.round(total)} ms` : ""}.`
    : "";
  results.querySelector(".headline")?.focus();
}

function renderArticle(article, index, source) {
  const node = articleTemplate.content.firstElementChild.cloneNode(true);
  const prefix = `article-${index + 1}`;
  const quotes = Array.isArray(article.quotes) ? article.quotes : [];
  const headline = node.querySelector(".headline");
  headline.id = `${prefix}-headline`;
  headline.textContent = article.headline || `Article ${index + 1} (no headline)`;
  node.setAttribute("aria-labelledby", headline.id);
  node.id = prefix;
  const dateline = node.querySelector(".dateline");
  if (article.dateline) dateline.textContent = `Dateline: ${article.dateline}`;
  else dateline.remove();
  const quoted = quotes.filter((quote) => quote.kind !== "indirect").length;
  node.querySelector(".counts").textContent =
    `${plural(quoted, "quote", "quotes")}, ${plural(quotes.length - quoted, "reported statement", "reported statements")}` +
    (article.truncated ? `; long article: only its first ${article.paragraphs_analysed} paragraphs were analysed` : "");

  const articleText = node.querySelector(".article-text");
  articleText.append(...renderText(article, quotes, source));
  fillList(node.querySelector(".bullet-list"), article.bullets, article.bullet_spans, "The publisher printed no bullets.",
    (text) => `publisher's bullet “${text}”`);
  fillList(node.querySelector(".summary-list"), article.summary, article.summary_sources, "No summary was generated.",
    (text) => `the source sentence of “${text}”`);
  fillQuotes(node.querySelector(".quote-list"), quotes, source);
  articleText.addEventListener("click", (event) => {
    const target = event.target.closest("[data-quote]");
    if (target) markQuote(node, quotes[Number(target.dataset.quote)], source);
  });
  return node;
}

// A list of texts; each one with a source span is a button that marks that span in the article text.
function fillList(list, texts, spans, emptyText, describe) {
  const items = Array.isArray(texts) ? texts : [];
  if (!items.length) {
    list.append(element("li", { className: "empty" }, emptyText));
    return;
  }
  items.forEach((text, i) => {
    const span = Array.isArray(spans) ? spans[i] : undefined;
    if (!isSpan(span)) {
      list.append(element("li", {}, text));
      return;
    }
    const button = element("button", { type: "button", className: "span-link" }, text);
    button.addEventListener("click", () => markSpan(list.closest("article"), span, null, describe(text)));
    list.append(element("li", {}, button));
  });
}

function speakerLabel(quote) {
  return [quote.speaker || "unattributed", quote.source_agency].filter(Boolean).join(" · ");
}

function mentionSpan(quote) {
  return isSpan(quote.speaker_mention_span) ? quote.speaker_mention_span : quote.speaker_span;
}

// What hovering a quote tells: its kind and confidence, its cue, and how the text names the speaker (the
// chip gives the speaker's full name and the agency).
function quoteDetails(quote, source) {
  const details = [KIND_LABELS[quote.kind] || quote.kind];
  if (typeof quote.confidence === "number") details.push(`confidence ${quote.confidence.toFixed(2)}`);
  if (quote.cue) details.push(`cue “${quote.cue}”`);
  const span = mentionSpan(quote);
  const mention = quote.speaker_mention || (isSpan(span) ? source.slice(span[0], span[1]) : null);
  if (mention && quote.speaker && mention !== quote.speaker) details.push(`named here as “${mention}”`);
  return details.join(" · ");
}

function fillQuotes(list, quotes, source) {
  if (!quotes.length) {
    list.append(element("li", { className: "empty" }, "No quotes were found."));
    return;
  }
  quotes.forEach((quote) => {
    const details = quoteDetails(quote, source);
    const button = element(
      "button",
      { type: "button", className: `span-link quote-link kind-${quote.kind}`, title: details },
      element("span", { className: "quote-text" }, `“${quote.text}”`),
      " ",
      element("span", { className: "chip" }, speakerLabel(quote)),
      " ",
      element("span", { className: "quote-meta" }, details),
    );
    button.addEventListener("click", () => markQuote(list.closest("article"), quote, source));
    list.append(element("li", {}, button));
  });
}

// ---- the article text: blocks (bullets, paragraphs) cut into segments at every span's ends ----------------

function textBlocks(article, quotes, length) {
  const bullets = (Array.isArray(article.bullet_spans) ? article.bullet_spans : []).filter(isSpan);
  let paragraphs = (Array.isArray(article.paragraph_spans) ? article.paragraph_spans : []).filter(isSpan);
  if (!paragraphs.length) {
    // An API without paragraph_spans: one block from the first to the last offset the article mentions.
    const ends = quotes.flatMap((q) => [q.start, q.end]).concat((article.summary_sources || []).flat());
    const numbers = ends.filter(Number.isInteger);
    if (numbers.length) paragraphs = [[Math.min(...numbers), Math.max(...numbers)]];
  }
  const blocks = [
    ...bullets.map(([start, end]) => ({ start, end, kind: "bullet" })),
    ...paragraphs.map(([start, end]) => ({ start, end, kind: "paragraph" })),
  ].filter((block) => block.end <= length);
  blocks.sort((a, b) => a.start - b.start);
  return blocks;
}

function renderText(article, quotes, source) {
  const spans = [
    ...quotes.flatMap((q) => [[q.start, q.end], mentionSpan(q)]),
    ...(article.summary_sources || []),
    ...(article.bullet_spans || []),
  ].filter(isSpan);
  return textBlocks(article, quotes, source.length).map((block) => {
    const cuts = new Set([block.start, block.end]);
    for (const [start, end] of spans) {
      for (const offset of [start, end]) if (offset > block.start && offset < block.end) cuts.add(offset);
    }
    const offsets = [...cuts].sort((a, b) => a - b);
    const paragraph = element("p", { className: `block block-${block.kind}` });
    for (let i = 0; i + 1 < offsets.length; i++) {
      paragraph.append(segment(offsets[i], offsets[i + 1], quotes, source));
      // Chips of the quotes that end here.
      quotes.forEach((quote, q) => {
        if (quote.end === offsets[i + 1]) paragraph.append(chip(quote, q, source));
      });
    }
    return paragraph;
  });
}

function segment(start, end, quotes, source) {
  const text = source.slice(start, end);
  // The shortest quote covering the segment names it (a partial quote inside a reported statement).
  let inner = -1;
  quotes.forEach((quote, q) => {
    if (quote.start <= start && end <= quote.end) {
      if (inner < 0 || quote.end - quote.start < quotes[inner].end - quotes[inner].start) inner = q;
    }
  });
  const dataset = { start: String(start), end: String(end) };
  if (inner < 0) return element("span", { className: "seg", dataset }, text);
  const quote = quotes[inner];
  return element(
    "mark",
    { className: `seg quote kind-${quote.kind}`, dataset: { ...dataset, quote: String(inner) }, title: quoteDetails(quote, source) },
    text,
  );
}

function chip(quote, q, source) {
  return element(
    "span",
    { className: `chip kind-${quote.kind}`, dataset: { quote: String(q) }, title: quoteDetails(quote, source) },
    element("span", { className: "visually-hidden" }, `(${KIND_LABELS[quote.kind] || "quote"} by `),
    speakerLabel(quote),
    element("span", { className: "visually-hidden" }, ")"),
  );
}

// ---- marking a source span ---------------------------------------------------------------------------------

function clearMarks() {
  for (const node of results.querySelectorAll(".is-marked, .is-speaker")) {
    node.classList.remove("is-marked", "is-speaker");
    node.removeAttribute("tabindex");
  }
}

function segmentsWithin(articleNode, [start, end]) {
  return [...articleNode.querySelectorAll(".article-text .seg")].filter(
    (seg) => Number(seg.dataset.start) >= start && Number(seg.dataset.end) <= end,
  );
}

function markQuote(articleNode, quote, source) {
  const label = `${KIND_LABELS[quote.kind] || "quote"} by ${speakerLabel(quote)}`;
  markSpan(articleNode, [quote.start, quote.end], mentionSpan(quote), label);
}

function markSpan(articleNode, span, speakerSpan, label) {
  clearMarks();
  const marked = segmentsWithin(articleNode, span);
  if (!marked.length) {
    setStatus(`The source of ${label} is not in the article text shown.`);
    return;
  }
  marked.forEach((seg) => seg.classList.add("is-marked"));
  if (isSpan(speakerSpan)) segmentsWithin(articleNode, speakerSpan).forEach((seg) => seg.classList.add("is-speaker"));
  const first = marked[0];
  // Focus moves to the marked text, as an in-page link would, so a screen reader reads it next.
  first.tabIndex = -1;
  first.focus({ preventScroll: true });
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  first.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
  setStatus(`Marked ${label} in the article text.`);
}

// ---- wiring ---------------------------------------------------------------------------------------------------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitPage(0);
});
textArea.addEventListener("input", () => {
  if (loadedFile && textArea.value !== loadedFile.text) {
    loadedFile = null;
    fileName.textContent = "";
  }
});
fileInput.addEventListener("change", () => {
  if (fileInput.files.length) openFile(fileInput.files[0]);
  fileInput.value = "";
});
dropZone.addEventListener("dragover", (event) => {
  event.preventDefault();
  dropZone.classList.add("dragging");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropZone.classList.remove("dragging");
  const file = event.dataTransfer?.files?.[0];
  if (file) openFile(file);
});
