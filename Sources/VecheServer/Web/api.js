// The Veche HTTP API (WIRE.md "HTTP"), as an independent client: every response is read
// defensively, every failure becomes an ApiError with the HTTP status and problem body.

/** A failed request: `status` 0 for network failures and timeouts. */
export class ApiError extends Error {
  constructor(status, problem, message, context = "") {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem; // {type, title, status, detail, field} or null
    this.context = context; // "meeting", "command", "result", …: what was asked
  }
}

let base = "";
const TIMEOUT_MS = 20000;

/** Points the client at another origin (tests); the default is the page's own. */
export function setBase(url) {
  base = url.replace(/\/+$/, "");
}

async function request(path, { method = "GET", body, accept, context = "" } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    const headers = {};
    if (accept) headers["Accept"] = accept;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    response = await fetch(base + path, { method, body, headers, signal: controller.signal, cache: "no-store" });
  } catch (e) {
    clearTimeout(timer);
    const timedOut = e && e.name === "AbortError";
    throw new ApiError(0, null, timedOut ? "timeout" : "network", context);
  }
  let text;
  try {
    text = await response.text();
  } catch {
    clearTimeout(timer);
    throw new ApiError(0, null, "network", context);
  }
  clearTimeout(timer);
  if (!response.ok) {
    let problem = null;
    const type = response.headers.get("Content-Type") || "";
    if (/json/i.test(type)) {
      try {
        const parsed = JSON.parse(text);
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) problem = parsed;
      } catch {
        problem = null;
      }
    }
    throw new ApiError(response.status, problem, (problem && (problem.detail || problem.title)) || `HTTP ${response.status}`, context);
  }
  return { status: response.status, text, contentType: response.headers.get("Content-Type") || "" };
}

function json(text, context) {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(-1, null, "malformed response", context);
  }
}

/** The latest checkpoint note (text). */
export async function getCheckpoint() {
  return (await request("/v1/checkpoint", { context: "checkpoint" })).text;
}

/** The ledger's origin: the first line of the checkpoint. */
export async function getOrigin() {
  const note = await getCheckpoint();
  const end = note.indexOf("\n");
  if (end <= 0) throw new ApiError(-1, null, "malformed checkpoint", "checkpoint");
  return note.slice(0, end);
}

/** The size of the ledger per the latest checkpoint. */
export async function getSize() {
  const lines = (await getCheckpoint()).split("\n");
  const size = Number(lines[1]);
  if (!Number.isSafeInteger(size) || size < 0) throw new ApiError(-1, null, "malformed checkpoint", "checkpoint");
  return size;
}

/** Entries `from`..`from+limit-1` as parsed objects, each with its line `text` kept. */
export async function getEntries(from, limit) {
  const { text } = await request(`/v1/entries?from=${from}&limit=${limit}`, { context: "entries" });
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => json(line, "entries"));
}

/** The genesis entry (seq 0): its command names the operator's key. */
export async function getGenesis() {
  const [genesis] = await getEntries(0, 1);
  if (!genesis || genesis.seq !== 0 || !genesis.command || genesis.command.type !== "ledger.genesis") {
    throw new ApiError(-1, null, "no genesis entry", "entries");
  }
  return genesis;
}

/** `GET /v1/meetings/{id}`. */
export async function getMeeting(id) {
  return json((await request(`/v1/meetings/${encodeURIComponent(id)}`, { context: "meeting" })).text, "meeting");
}

/** `GET /v1/meetings/{id}/result`. */
export async function getResult(id) {
  return json((await request(`/v1/meetings/${encodeURIComponent(id)}/result`, { context: "result" })).text, "result");
}

/** The protocol's URL (HTML form). */
export function protocolURL(id) {
  return `${base}/v1/meetings/${encodeURIComponent(id)}/protocol?format=html`;
}

/** Posts a signed envelope; returns {status (201 or 200), receipt}. */
export async function postCommand(envelope) {
  const response = await request("/v1/commands", { method: "POST", body: JSON.stringify(envelope), context: "command" });
  return { status: response.status, receipt: json(response.text, "command") };
}
