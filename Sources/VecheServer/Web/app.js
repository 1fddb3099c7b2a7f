// The voting page: key, owner, meeting, ballot, receipt, results. Talks to the API of
// WIRE.md only; every text is set with textContent, never parsed as HTML.
import * as api from "./api.js";
import * as keys from "./keys.js";
import { verifyReceipt } from "./receipt.js";
import { explain } from "./errors.js";
import { turnoutChart, itemChart } from "./charts.js";
import { decimal2, percent2, ru, THRESHOLDS, STATUSES, FORMS, RULES, REVOTE, MARKS, dateTime } from "./format.js";

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const OWNER_KEY = "veche.owner";
const PENDING_KEY = "veche.pending";
const BINDING_KEY = "veche.binding";
const OPERATOR_KEY = "veche.operator";
const AUTO_SCAN_ENTRIES = 2000;
const MANUAL_SCAN_ENTRIES = 20000;
const SCAN_PAGE = 1000;

const $ = (id) => document.getElementById(id);

const state = {
  ready: false,
  key: null, // {privateKey, publicKey, publicString, created}
  owner: "",
  meetingId: "",
  meeting: null, // GET /v1/meetings/{id} response
  result: null,
  choices: {},
  busy: false,
  message: "",
  error: null,
  binding: { state: "unknown", owner: "", seq: null, scanned: 0, size: 0 },
  receipt: null, // {record, verification}
  voted: "", // the meeting this page's ballot was accepted for (hides the ballot until asked)
  pollTimer: null,
};

// ---------- status and errors ----------

function say(text) {
  state.message = text;
  $("status").textContent = text;
}

function showError(error, prefix = "") {
  const info = explain(error);
  state.error = info;
  $("alert-message").textContent = prefix ? `${prefix} ${info.message}` : info.message;
  const detail = [info.detail, info.status > 0 ? `код ${info.status}` : "", info.field ? `поле ${info.field}` : ""].filter(Boolean).join(" · ");
  $("alert-detail").textContent = detail ? `Ответ сервера: ${detail}` : "";
  $("alert").hidden = false;
}

function clearError() {
  state.error = null;
  $("alert").hidden = true;
  $("alert-message").textContent = "";
  $("alert-detail").textContent = "";
}

function setBusy(busy) {
  state.busy = busy;
  for (const id of ["create-key", "check-binding", "open-meeting", "review", "sign-and-send"]) {
    const b = $(id);
    if (b) b.disabled = busy;
  }
  document.body.toggleAttribute("aria-busy", busy);
}

async function task(label, work) {
  if (state.busy) return;
  setBusy(true);
  clearError();
  if (label) say(label);
  try {
    await work();
  } catch (e) {
    showError(e);
    say("");
  } finally {
    setBusy(false);
  }
}

// ---------- key ----------

function renderKey() {
  const has = !!state.key;
  $("key-missing").hidden = has;
  $("key-present").hidden = !has;
  $("public-key").value = has ? state.key.publicString : "";
  renderBinding();
}

function renderBinding() {
  const b = state.binding;
  const el = $("key-binding");
  el.className = "binding";
  if (!state.key) return;
  switch (b.state) {
    case "bound":
      el.textContent = b.owner === state.owner || !state.owner
        ? `Ключ привязан к собственнику ${b.owner}.`
        : `Ключ привязан к собственнику ${b.owner}, а введён идентификатор ${state.owner}. Проверьте идентификатор.`;
      el.classList.add(b.owner === state.owner || !state.owner ? "ok" : "warn");
      break;
    case "revoked":
      el.textContent = `Привязка ключа к собственнику ${b.owner} отозвана. Создайте новый ключ и передайте его регистратору.`;
      el.classList.add("warn");
      break;
    case "none":
      el.textContent = "Привязка не найдена: регистратор ещё не привязал этот ключ. Передайте ему ключ и проверьте позже.";
      el.classList.add("warn");
      break;
    case "partial":
      el.textContent = `Привязка пока не найдена (просмотрено ${b.scanned} из ${b.size} записей журнала). Нажмите «Проверить привязку», чтобы продолжить, или просто проголосуйте — сервер сам проверит ключ.`;
      break;
    default:
      el.textContent = "Привязка ключа ещё не проверена.";
  }
}

async function createKey() {
  if (!window.isSecureContext || !crypto.subtle) {
    throw Object.assign(new Error("insecure context"), {
      userMessage: "Страница открыта без защищённого соединения (HTTPS): браузер не даёт создать ключ подписи.",
    });
  }
  state.key = await keys.createKey();
  state.binding = { state: "none", owner: "", seq: null, scanned: 0, size: 0 };
  localStorage.removeItem(BINDING_KEY);
  renderKey();
  renderBallotVisibility();
  say("Ключ создан. Скопируйте публичный ключ и передайте его регистратору.");
  $("public-key").focus();
}

async function copyKey() {
  const text = $("public-key").value;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    $("public-key").select();
    document.execCommand("copy");
  }
  say("Публичный ключ скопирован.");
}

/** Scans the ledger for owner.key commands naming our key, resuming where the last scan stopped. */
async function checkBinding(limit) {
  if (!state.key) return;
  const origin = await api.getOrigin();
  const size = await api.getSize();
  let cached = null;
  try {
    cached = JSON.parse(localStorage.getItem(BINDING_KEY) || "null");
  } catch {
    cached = null;
  }
  let from = 0;
  let found = { state: "none", owner: "", seq: null };
  if (cached && cached.key === state.key.publicString && cached.origin === origin && cached.scanned <= size) {
    from = cached.scanned;
    found = { state: cached.state === "partial" ? "none" : cached.state, owner: cached.owner, seq: cached.seq };
  }
  let budget = limit;
  while (from < size && budget > 0) {
    const page = await api.getEntries(from, Math.min(SCAN_PAGE, budget));
    if (page.length === 0) break;
    for (const entry of page) {
      const c = entry && entry.command;
      if (c && c.type === "owner.key" && c.key === state.key.publicString) {
        found = { state: c.action === "revoke" ? "revoked" : "bound", owner: c.owner, seq: entry.seq };
      }
    }
    from += page.length;
    budget -= page.length;
  }
  const complete = from >= size;
  const stateName = found.state === "none" && !complete ? "partial" : found.state;
  state.binding = { state: stateName, owner: found.owner, seq: found.seq, scanned: from, size };
  localStorage.setItem(BINDING_KEY, JSON.stringify({ key: state.key.publicString, origin, scanned: from, state: found.state, owner: found.owner, seq: found.seq }));
  if (stateName === "bound" && !state.owner) {
    setOwner(found.owner);
  }
  renderBinding();
}

// ---------- owner ----------

function setOwner(owner) {
  state.owner = owner;
  localStorage.setItem(OWNER_KEY, owner);
  $("owner-id").value = owner;
  renderBinding();
  renderBallotVisibility();
}

function saveOwner() {
  const value = $("owner-id").value.trim();
  if (!ID_PATTERN.test(value)) {
    $("owner-error").textContent = "Идентификатор: от 1 до 64 знаков — латинские буквы, цифры, точка, двоеточие, дефис, подчёркивание.";
    $("owner-id").setAttribute("aria-invalid", "true");
    $("owner-id").focus();
    return false;
  }
  $("owner-error").textContent = "";
  $("owner-id").removeAttribute("aria-invalid");
  setOwner(value);
  say(`Идентификатор собственника ${value} запомнен на этом устройстве.`);
  return true;
}

// ---------- meeting ----------

function fact(dl, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
}

async function openMeeting(id) {
  if (!ID_PATTERN.test(id)) {
    $("meeting-error").textContent = "Номер собрания: от 1 до 64 знаков — латинские буквы, цифры, точка, двоеточие, дефис, подчёркивание.";
    $("meeting-id").setAttribute("aria-invalid", "true");
    $("meeting-id").focus();
    return;
  }
  $("meeting-error").textContent = "";
  $("meeting-id").removeAttribute("aria-invalid");
  $("meeting-id").value = id;
  if (state.meetingId !== id) {
    state.choices = {};
    state.result = null;
    state.voted = "";
  }
  state.meetingId = id;
  if (location.hash !== `#/meeting/${id}`) history.replaceState(null, "", `#/meeting/${encodeURIComponent(id)}`);
  await loadMeeting();
  say(`Собрание «${state.meeting.meeting.title}» открыто.`);
  $("meeting-title").focus?.();
}

async function loadMeeting() {
  const data = await api.getMeeting(state.meetingId);
  if (!data || typeof data !== "object" || !data.meeting || !Array.isArray(data.meeting.agenda)) {
    throw new api.ApiError(-1, null, "malformed meeting", "meeting");
  }
  state.meeting = data;
  renderMeeting();
  if (data.status === "closed") {
    await loadResult();
  } else {
    $("results-section").hidden = true;
  }
  schedulePoll();
}

function renderMeeting() {
  const m = state.meeting.meeting;
  const s = state.meeting;
  $("meeting").hidden = false;
  $("meeting-title").textContent = m.title;
  $("meeting-title").tabIndex = -1;
  const dl = $("meeting-facts");
  dl.replaceChildren();
  fact(dl, "Номер", m.meeting);
  fact(dl, "Дом", m.building);
  fact(dl, "Статус", STATUSES[s.status] ?? s.status);
  fact(dl, "Форма", FORMS[m.form] ?? m.form);
  fact(dl, "Инициатор", m.initiator);
  fact(dl, "Правила", RULES[m.rules] ?? m.rules);
  fact(dl, "Начало", dateTime(m.opens_at));
  fact(dl, "Окончание", dateTime(m.closes_at));
  fact(dl, "Переголосование", REVOTE[m.revote] ?? m.revote);
  fact(dl, "Бюллетеней принято", String(s.ballots));
  const turnout = $("turnout");
  turnout.replaceChildren();
  try {
    turnout.append(turnoutChart(document, { participating: s.participating, total: s.total, required: s.quorum.required, reached: s.quorum.reached }));
  } catch (e) {
    turnout.textContent = "Нельзя показать явку: сервер прислал неверные числа.";
  }
  renderAgenda();
  renderBallotVisibility();
}

function renderAgenda() {
  const agenda = $("agenda");
  agenda.replaceChildren();
  for (const item of state.meeting.meeting.agenda) {
    const fs = document.createElement("fieldset");
    fs.className = "item";
    fs.id = `item-${item.item}`;
    const legend = document.createElement("legend");
    legend.textContent = `Вопрос ${item.item}. ${item.title}`;
    const proposal = document.createElement("p");
    proposal.className = "proposal";
    proposal.textContent = item.proposal;
    const threshold = document.createElement("p");
    threshold.className = "hint";
    threshold.textContent = `Решение принимается, если «за» — ${THRESHOLDS[item.threshold] ?? item.threshold}.` + (item.basis ? ` Основание: ${item.basis}.` : "");
    const marks = document.createElement("div");
    marks.className = "marks";
    for (const mark of ["for", "against", "abstain"]) {
      const id = `vote-${item.item}-${mark}`;
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `vote-${item.item}`;
      input.id = id;
      input.value = mark;
      input.checked = state.choices[item.item] === mark;
      input.addEventListener("change", () => {
        state.choices[item.item] = mark;
      });
      const label = document.createElement("label");
      label.htmlFor = id;
      label.className = `mark mark-${mark}`;
      label.textContent = MARKS[mark];
      marks.append(input, label);
    }
    const clear = document.createElement("button");
    clear.type = "button";
    clear.id = `vote-${item.item}-clear`;
    clear.className = "link";
    clear.textContent = "Снять отметку";
    clear.addEventListener("click", () => {
      delete state.choices[item.item];
      for (const mark of ["for", "against", "abstain"]) $(`vote-${item.item}-${mark}`).checked = false;
      say(`Отметка по вопросу ${item.item} снята.`);
    });
    fs.append(legend, proposal, threshold, marks, clear);
    agenda.append(fs);
  }
}

function renderBallotVisibility() {
  if (!state.meeting) return;
  const status = state.meeting.status;
  const note = $("ballot-closed-note");
  const open = status === "open";
  let why = "";
  if (!open) {
    why = {
      scheduled: `Голосование начнётся ${dateTime(state.meeting.meeting.opens_at)}.`,
      counting: "Голосование завершено, итоги подводятся.",
      closed: "Голосование завершено. Итоги — ниже.",
      cancelled: "Собрание отменено.",
    }[status] ?? "Голосование сейчас не идёт.";
  } else if (!state.key) {
    why = "Чтобы проголосовать, создайте ключ (раздел 1) и передайте его регистратору.";
  } else if (!state.owner) {
    why = "Чтобы проголосовать, введите идентификатор собственника (раздел 2).";
  } else if (state.voted === state.meetingId && state.receipt) {
    why = `Ваш бюллетень принят: запись № ${state.receipt.record.receipt.seq} в журнале.` +
      (state.meeting.meeting.revote === "last-counts" ? " До окончания голосования его можно заменить новым." : "");
  }
  note.textContent = why;
  note.hidden = why === "";
  const revote = $("revote");
  revote.hidden = !(open && state.voted === state.meetingId && state.meeting.meeting.revote === "last-counts");
  const canVote = open && !!state.key && !!state.owner && state.voted !== state.meetingId;
  $("ballot").hidden = !canVote || !$("summary-section").hidden;
  if (!canVote) $("summary-section").hidden = true;
}

function schedulePoll() {
  clearTimeout(state.pollTimer);
  const status = state.meeting && state.meeting.status;
  if (status !== "open" && status !== "counting" && status !== "scheduled") return;
  const delay = status === "counting" ? 3000 : 30000;
  state.pollTimer = setTimeout(async () => {
    if (document.hidden || state.busy) return schedulePoll();
    try {
      const before = state.meeting.status;
      const data = await api.getMeeting(state.meetingId);
      state.meeting = data;
      refreshLive(before);
      if (data.status === "closed") await loadResult();
    } catch {
      // A failed background refresh is not worth an alert; the next one may succeed.
    }
    schedulePoll();
  }, delay);
}

function refreshLive(before) {
  const s = state.meeting;
  if (before !== s.status) {
    // The status changed: redraw everything (the ballot may have to close).
    const keep = { ...state.choices };
    renderMeeting();
    state.choices = keep;
    say(`Статус собрания: ${STATUSES[s.status] ?? s.status}.`);
    return;
  }
  const turnout = $("turnout");
  turnout.replaceChildren(turnoutChart(document, { participating: s.participating, total: s.total, required: s.quorum.required, reached: s.quorum.reached }));
}

// ---------- ballot ----------

function review() {
  const ul = $("summary");
  ul.replaceChildren();
  let marked = 0;
  for (const item of state.meeting.meeting.agenda) {
    const li = document.createElement("li");
    const mark = state.choices[item.item];
    if (mark) marked++;
    li.textContent = `Вопрос ${item.item}. ${item.title} — ${mark ? MARKS[mark] : "без отметки"}`;
    li.className = mark ? `chosen mark-${mark}` : "blank";
    ul.append(li);
  }
  const total = state.meeting.meeting.agenda.length;
  let note = marked === total ? "Отмечены все вопросы." : marked === 0
    ? "Вы не отметили ни одного вопроса: вы будете участником собрания (для кворума), но ни по одному вопросу голос не будет отдан."
    : `Без отметки: ${total - marked} из ${total}. По этим вопросам ваш голос не будет отдан, но вы участвуете в собрании.`;
  note += state.meeting.meeting.revote === "forbidden"
    ? " После отправки изменить голос нельзя."
    : " Позже можно переголосовать: учитывается последний бюллетень.";
  note += ` Подписывает ключ собственника ${state.owner}.`;
  $("summary-note").textContent = note;
  $("ballot").hidden = true;
  $("summary-section").hidden = false;
  $("summary-heading").focus();
}

function editChoices() {
  $("summary-section").hidden = true;
  $("ballot").hidden = false;
  const first = document.querySelector("#agenda input");
  if (first) first.focus();
}

function currentChoices() {
  const agendaItems = new Set(state.meeting.meeting.agenda.map((i) => i.item));
  const out = {};
  for (const [item, mark] of Object.entries(state.choices)) if (agendaItems.has(item)) out[item] = mark;
  return out;
}

async function operatorKeyFor(origin) {
  const genesis = await api.getGenesis();
  const key = genesis.command.operator;
  if (genesis.command.ledger !== origin) throw new Error("журнал сервера не совпадает с контрольной точкой");
  // Remember the operator's key per origin (trust on first use) and warn if it changes.
  let known = {};
  try {
    known = JSON.parse(localStorage.getItem(OPERATOR_KEY) || "{}") || {};
  } catch {
    known = {};
  }
  if (known[origin] && known[origin] !== key) {
    throw new Error(`ключ оператора журнала ${origin} изменился: было ${known[origin]}, стало ${key}`);
  }
  known[origin] = key;
  localStorage.setItem(OPERATOR_KEY, JSON.stringify(known));
  return key;
}

async function signAndSend() {
  const origin = await api.getOrigin();
  const choices = currentChoices();
  let envelope = null;
  // A retry after a lost answer resends the same envelope (same id): the server answers 200
  // with the original receipt instead of counting a second ballot.
  try {
    const pending = JSON.parse(localStorage.getItem(PENDING_KEY) || "null");
    if (pending && pending.signer === state.key.publicString && pending.command.ledger === origin &&
        pending.command.meeting === state.meetingId && pending.command.owner === state.owner &&
        JSON.stringify(Object.entries(pending.command.choices).sort()) === JSON.stringify(Object.entries(choices).sort())) {
      envelope = pending;
    }
  } catch {
    envelope = null;
  }
  if (!envelope) {
    const command = { type: "ballot.cast", id: keys.newCommandID(), ledger: origin, meeting: state.meetingId, owner: state.owner, choices };
    envelope = await keys.signEnvelope(command, state.key.privateKey, state.key.publicString);
    localStorage.setItem(PENDING_KEY, JSON.stringify(envelope));
  }
  say("Бюллетень подписан, отправляем…");
  let answer;
  try {
    answer = await api.postCommand(envelope);
  } catch (e) {
    if (e.status !== 0 && e.status !== 503 && e.status !== 429 && !(e.status >= 500)) localStorage.removeItem(PENDING_KEY);
    if (e.status === 403) {
      // Explain with what the ledger says about our key, when we can find out cheaply.
      checkBinding(AUTO_SCAN_ENTRIES).catch(() => {});
    }
    throw e;
  }
  localStorage.removeItem(PENDING_KEY);
  say(answer.status === 201 ? "Голос принят. Проверяем квитанцию…" : "Голос был принят раньше. Проверяем квитанцию…");
  // The vote is in from here on: nothing below may hide the receipt, a failure only marks it unverified.
  let operatorKey = "";
  let verification;
  try {
    operatorKey = await operatorKeyFor(origin);
    verification = await verifyReceipt(answer.receipt, { operatorKey, origin, expected: { command: envelope.command, signer: envelope.signer } });
  } catch (e) {
    const detail = e instanceof api.ApiError ? explain(e).message : String(e && e.message ? e.message : e);
    verification = { ok: false, checkpoint: null, checks: [{ id: "operator", name: "Ключ оператора журнала получен", ok: false, detail }] };
  }
  const record = {
    leaf: typeof answer.receipt.leaf === "string" ? answer.receipt.leaf : keys.newCommandID(),
    meeting: state.meetingId,
    owner: state.owner,
    origin,
    operatorKey,
    receipt: answer.receipt,
    verified: verification.ok,
    repeated: answer.status === 200,
    saved: new Date().toISOString(),
  };
  await keys.saveReceipt(record);
  state.receipt = { record, verification };
  state.voted = state.meetingId;
  renderReceipt();
  await renderReceiptList();
  $("summary-section").hidden = true;
  say(verification.ok ? "Голос принят. Квитанция проверена." : "Голос принят, но квитанция не прошла проверку.");
  try {
    await loadMeeting();
  } catch {
    // The vote is in; a failed refresh of the turnout is not worth an alert.
  }
}

// ---------- receipt ----------

function renderReceipt() {
  const { record, verification } = state.receipt;
  const section = $("receipt-section");
  section.hidden = false;
  const status = $("receipt-status");
  status.className = "receipt-status " + (verification.ok ? "ok" : "bad");
  if (verification.ok) {
    status.textContent = "Квитанция проверена";
  } else {
    const failed = verification.checks.find((c) => !c.ok);
    status.textContent = `Квитанция НЕ проверена: ${failed ? `${failed.name.toLowerCase()} — нет (${failed.detail})` : "неизвестная ошибка"}`;
  }
  const r = record.receipt;
  const dl = $("receipt-facts");
  dl.replaceChildren();
  fact(dl, "Собрание", record.meeting);
  fact(dl, "Собственник", record.owner);
  fact(dl, "Номер записи в журнале", String(r.seq));
  fact(dl, "Время записи", r.entry && typeof r.entry.time === "string" ? `${dateTime(r.entry.time)} (${r.entry.time})` : "—");
  fact(dl, "Отпечаток записи (лист)", String(r.leaf));
  if (verification.checkpoint) fact(dl, "Контрольная точка", `${verification.checkpoint.origin}, записей: ${verification.checkpoint.size}`);
  if (record.repeated) fact(dl, "Примечание", "Этот бюллетень уже был принят раньше; показана его исходная запись.");
  const ul = $("receipt-checks");
  ul.replaceChildren();
  for (const check of verification.checks) {
    const li = document.createElement("li");
    li.className = check.ok ? "ok" : "bad";
    li.textContent = `${check.ok ? "✓" : "✗"} ${check.name}${check.ok ? "" : `: ${check.detail}`}`;
    ul.append(li);
  }
  $("receipt-heading").focus();
}

function download(record) {
  const body = {
    about: "Квитанция Вече: запись бюллетеня в журнале и доказательство включения (WIRE.md «Receipt»).",
    origin: record.origin,
    operator: record.operatorKey,
    meeting: record.meeting,
    owner: record.owner,
    verifiedInBrowser: record.verified,
    saved: record.saved,
    receipt: record.receipt,
  };
  const blob = new Blob([JSON.stringify(body, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `veche-receipt-${record.meeting}-${record.receipt.seq}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say("Квитанция сохранена в файл.");
}

async function renderReceiptList() {
  let list = [];
  try {
    list = await keys.listReceipts();
  } catch {
    list = [];
  }
  const ul = $("receipts");
  ul.replaceChildren();
  $("receipts-empty").hidden = list.length > 0;
  for (const record of list) {
    const li = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = `Собрание ${record.meeting}, собственник ${record.owner}, запись № ${record.receipt.seq}, ${dateTime(record.saved)} — ${record.verified ? "проверена" : "не проверена"}`;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Скачать";
    button.setAttribute("aria-label", `Скачать квитанцию: собрание ${record.meeting}, запись ${record.receipt.seq}`);
    button.addEventListener("click", () => download(record));
    li.append(text, button);
    ul.append(li);
  }
}

// ---------- results ----------

async function loadResult() {
  try {
    state.result = await api.getResult(state.meetingId);
  } catch (e) {
    if (e.status === 404) return; // counting: the close entry is not appended yet
    throw e;
  }
  renderResult();
}

function renderResult() {
  const r = state.result;
  const titles = new Map(state.meeting.meeting.agenda.map((i) => [i.item, i.title]));
  const box = $("results");
  box.replaceChildren();
  const p = document.createElement("p");
  p.className = r.quorum.reached ? "verdict ok" : "verdict bad";
  p.textContent = r.quorum.reached
    ? `Кворум есть: участвовали ${ru(decimal2(r.participating))} из ${ru(decimal2(r.total))}\u00a0м² (${ru(percent2(r.participating, r.total))}\u00a0%).`
    : `Кворума нет: участвовали ${ru(decimal2(r.participating))} из ${ru(decimal2(r.total))}\u00a0м² (${ru(percent2(r.participating, r.total))}\u00a0%). Решения не приняты.`;
  box.append(p);
  if (r.rules === "generic") {
    const g = document.createElement("p");
    g.className = "hint";
    g.textContent = "Это опрос по общим правилам, а не решение общего собрания собственников.";
    box.append(g);
  }
  box.append(turnoutChart(document, { participating: r.participating, total: r.total, required: r.quorum.required, reached: r.quorum.reached }, "result-turnout-chart"));
  for (const item of r.items) {
    const h = document.createElement("h3");
    h.textContent = `Вопрос ${item.item}. ${titles.get(item.item) ?? ""}`;
    box.append(h, itemChart(document, item, { total: r.total, participating: r.participating }, h.textContent));
  }
  const link = $("protocol-link");
  link.href = api.protocolURL(state.meetingId);
  $("results-section").hidden = false;
}

// ---------- start ----------

function meetingFromLocation() {
  const m = /^#\/meeting\/(.+)$/.exec(location.hash);
  if (m) {
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return ""; // a malformed link: let the owner type the number
    }
  }
  return new URLSearchParams(location.search).get("meeting") || "";
}

async function start() {
  $("create-key").addEventListener("click", () => task("Создаём ключ…", createKey));
  $("copy-key").addEventListener("click", () => copyKey().catch(() => say("Не удалось скопировать: выделите ключ и скопируйте вручную.")));
  $("check-binding").addEventListener("click", () => task("Ищем привязку ключа в журнале…", async () => {
    clearError();
    await checkBinding(MANUAL_SCAN_ENTRIES);
    say($("key-binding").textContent);
  }));
  $("owner-form").addEventListener("submit", (e) => {
    e.preventDefault();
    saveOwner();
  });
  $("meeting-form").addEventListener("submit", (e) => {
    e.preventDefault();
    task("Загружаем собрание…", async () => {
      clearError();
      await openMeeting($("meeting-id").value.trim());
    });
  });
  $("ballot").addEventListener("submit", (e) => {
    e.preventDefault();
    review();
  });
  $("edit-choices").addEventListener("click", editChoices);
  $("revote").addEventListener("click", () => {
    state.voted = "";
    renderBallotVisibility();
    editChoices();
  });
  $("sign-and-send").addEventListener("click", () => task("Подписываем бюллетень…", async () => {
    clearError();
    await signAndSend();
  }));
  $("download-receipt").addEventListener("click", () => state.receipt && download(state.receipt.record));
  window.addEventListener("hashchange", () => {
    const id = meetingFromLocation();
    if (id && id !== state.meetingId) task("Загружаем собрание…", () => openMeeting(id));
  });

  state.owner = localStorage.getItem(OWNER_KEY) || "";
  $("owner-id").value = state.owner;
  if (!window.isSecureContext || !window.crypto || !crypto.subtle || !window.indexedDB) {
    showError(Object.assign(new Error("no WebCrypto"), {
      userMessage: "Этот браузер не даёт странице создать ключ подписи: откройте страницу по защищённому адресу (https://) в современном браузере.",
    }));
  } else {
    try {
      state.key = await keys.loadKey();
    } catch {
      state.key = null;
    }
  }
  renderKey();
  await renderReceiptList();
  const id = meetingFromLocation();
  if (id) {
    await task("Загружаем собрание…", () => openMeeting(id));
  }
  state.ready = true;
  if (state.key) {
    checkBinding(AUTO_SCAN_ENTRIES).catch(() => {});
  }
}

// The handle tests (and curious owners) use; it exposes no key material.
window.veche = {
  ready: null,
  getPublicKey: async () => (state.key ? state.key.publicString : null),
  status: () => ({
    ready: state.ready,
    busy: state.busy,
    key: state.key ? state.key.publicString : null,
    owner: state.owner,
    meeting: state.meetingId,
    meetingStatus: state.meeting ? state.meeting.status : null,
    choices: { ...state.choices },
    binding: { ...state.binding },
    message: state.message,
    error: state.error ? { ...state.error } : null,
    receipt: state.receipt
      ? {
          seq: state.receipt.record.receipt.seq,
          leaf: state.receipt.record.receipt.leaf,
          time: state.receipt.record.receipt.entry ? state.receipt.record.receipt.entry.time : null,
          verified: state.receipt.verification.ok,
          checks: state.receipt.verification.checks.map((c) => ({ id: c.id, ok: c.ok, detail: c.detail })),
        }
      : null,
    result: state.result ? JSON.parse(JSON.stringify(state.result)) : null,
  }),
  openMeeting: (id) => task("Загружаем собрание…", () => openMeeting(id)),
  checkBinding: () => checkBinding(MANUAL_SCAN_ENTRIES).then(() => ({ ...state.binding })),
};
window.veche.ready = start();
