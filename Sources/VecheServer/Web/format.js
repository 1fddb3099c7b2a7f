// Exact amounts for display: WIRE.md fraction strings ("p/q" or "n") read into BigInt and
// rounded half-up to 2 decimals with integer arithmetic only; Russian labels.

/** Parses "p/q" or "n" (non-negative) into {p, q} BigInts with q > 0. */
export function parseFraction(text) {
  if (typeof text !== "string") throw new Error("amount: not a string");
  const m = /^(0|[1-9][0-9]*)(?:\/([1-9][0-9]*))?$/.exec(text);
  if (!m) throw new Error(`amount: ${JSON.stringify(text)} is not "p/q" or "n"`);
  return { p: BigInt(m[1]), q: m[2] === undefined ? 1n : BigInt(m[2]) };
}

/** p/q rounded half-up to `digits` decimals, as "123.45" (p, q ≥ 0, q > 0). */
export function roundHalfUp(p, q, digits = 2) {
  if (q <= 0n || p < 0n) throw new Error("roundHalfUp: needs p >= 0 and q > 0");
  const scale = 10n ** BigInt(digits);
  // floor(p·scale/q + 1/2) = floor((2·p·scale + q) / (2·q))
  const scaled = (2n * p * scale + q) / (2n * q);
  if (digits === 0) return scaled.toString();
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(digits, "0");
  return `${whole}.${fraction}`;
}

/** An amount string rounded to 2 decimals ("2469/20" → "123.45"). */
export function decimal2(amount) {
  const { p, q } = parseFraction(amount);
  return roundHalfUp(p, q, 2);
}

/** part/whole as a percentage rounded half-up to 2 decimals; "0.00" when whole is 0. */
export function percent2(part, whole) {
  const a = parseFraction(part);
  const b = parseFraction(whole);
  if (b.p === 0n) return "0.00";
  return roundHalfUp(a.p * b.q * 100n, a.q * b.p, 2);
}

/** A dotted decimal in Russian style: thin-space groups, comma separator ("1 234,50"). */
export function ru(decimal) {
  const [whole, fraction] = decimal.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return fraction === undefined ? grouped : `${grouped},${fraction}`;
}

/** Exact comparison a/b ≥ c/d for fraction strings. */
export function compare(a, b) {
  const x = parseFraction(a);
  const y = parseFraction(b);
  const l = x.p * y.q;
  const r = y.p * x.q;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** floor(part/whole · scale) as a Number, for drawing only (0 when whole is 0). */
export function scaled(part, whole, scale) {
  const a = parseFraction(part);
  const b = parseFraction(whole);
  if (b.p === 0n) return 0;
  const v = (a.p * b.q * BigInt(scale)) / (a.q * b.p);
  return Number(v > BigInt(scale) ? BigInt(scale) : v);
}

export const THRESHOLDS = {
  "participants-majority": "больше половины голосов участников",
  "all-majority": "больше половины всех голосов",
  "all-two-thirds": "не менее 2/3 всех голосов",
  "all-unanimous": "все голоса (единогласно)",
};

/** The threshold as a fraction of its base, and whether the base is all votes. */
export const THRESHOLD_LINES = {
  "participants-majority": { share: "1/2", base: "participating", strict: true },
  "all-majority": { share: "1/2", base: "total", strict: true },
  "all-two-thirds": { share: "2/3", base: "total", strict: false },
  "all-unanimous": { share: "1", base: "total", strict: false },
};

export const STATUSES = {
  scheduled: "назначено, голосование ещё не началось",
  open: "идёт голосование",
  counting: "голосование завершено, идёт подсчёт",
  closed: "завершено, итоги подведены",
  cancelled: "отменено",
};

export const FORMS = {
  electronic: "заочное, электронное (ст. 47.1 ЖК РФ)",
  absentee: "заочное",
  mixed: "очно-заочное",
  "in-person": "очное",
};

export const RULES = {
  "ru-zhk-2024": "ЖК РФ (ОСС)",
  generic: "опрос, не решение ОСС",
};

export const REVOTE = {
  forbidden: "переголосовать нельзя: учитывается первый бюллетень",
  "last-counts": "можно переголосовать: учитывается последний бюллетень",
};

export const MARKS = { for: "За", against: "Против", abstain: "Воздержался" };

/** An RFC 3339 time as a Russian local date and time, with the exact value kept in a title. */
export function dateTime(text) {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return new Intl.DateTimeFormat("ru-RU", { dateStyle: "long", timeStyle: "short" }).format(d);
}
