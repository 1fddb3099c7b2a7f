// Russian explanations for every refusal the API can return (WIRE.md "HTTP"), chosen by
// the problem's reason code where we know it, else by HTTP status and what was asked.

/** Known reason codes (the last segment of a problem's `type`) → message. */
export const REASONS = {
  "bad-signature": "Подпись бюллетеня не прошла проверку на сервере. Возможно, ключ на этом устройстве повреждён: создайте новый ключ и передайте его регистратору.",
  "not-authorised": "Ваш ключ не привязан к этому собственнику (или привязка отозвана). Передайте публичный ключ регистратору — жилищной инспекции — и дождитесь привязки, затем повторите.",
  "wrong-ledger": "Бюллетень подписан для другого журнала голосования. Обновите страницу и повторите.",
  "second-own-ballot": "Ваш голос по этому собранию уже принят. Правила собрания не разрешают переголосовать: учитывается первый бюллетень.",
  "own-ballot-covers-nothing-new": "За все ваши доли уже проголосовал совладелец; правила собрания не разрешают переголосовать.",
  "proxy-after-own-ballot": "Собственник уже проголосовал сам; голос представителя не принимается.",
  "second-proxy-ballot": "Представитель уже проголосовал за этого собственника.",
  "proxy-covered-by-own": "За все доли собственника уже есть его собственные бюллетени; голос представителя не будет учтён.",
  "not-open-yet": "Голосование ещё не началось. Проверьте дату начала собрания.",
  "meeting-over": "Голосование уже завершено — бюллетени больше не принимаются.",
  "meeting-closed": "Собрание закрыто — бюллетени больше не принимаются.",
  "meeting-cancelled": "Собрание отменено — бюллетени не принимаются.",
  "id-reused": "Номер этого бюллетеня уже использован для другой команды. Заполните бюллетень заново и отправьте.",
  "unknown-meeting": "Собрание с таким номером не найдено.",
  "unknown-owner": "Собственник с таким идентификатором не найден в реестре этого собрания. Проверьте идентификатор, выданный регистратором.",
  "unknown-item": "В бюллетене есть вопрос, которого нет в повестке. Обновите страницу и заполните бюллетень заново.",
  "unknown-reference": "Сервер не нашёл собрание, собственника или вопрос, указанные в бюллетене.",
};

/** The reason code of a problem: the last segment of its `type` URI, if any. */
export function reasonOf(problem) {
  if (!problem || typeof problem.type !== "string") return "";
  const m = /([a-z0-9]+(?:-[a-z0-9]+)*)\/?$/.exec(problem.type);
  return m ? m[1] : "";
}

/** Message for a status when no reason code is known; `context` is what was asked. */
function byStatus(status, context) {
  switch (status) {
    case 0:
      return "Нет связи с сервером. Проверьте интернет и повторите. Повторная отправка того же бюллетеня безопасна: второй голос не появится.";
    case -1:
      return "Сервер прислал ответ, который страница не смогла прочитать. Повторите позже.";
    case 400:
      return "Сервер отклонил бюллетень как неправильно составленный. Обновите страницу и заполните бюллетень заново.";
    case 403:
      return REASONS["not-authorised"];
    case 404:
      if (context === "meeting") return "Собрание с таким номером не найдено. Проверьте номер.";
      if (context === "result") return "Итоги ещё не подведены.";
      return "Запрошенное не найдено на сервере.";
    case 409:
      return "Голос не принят: он противоречит состоянию собрания (голос уже принят, собрание не открыто или отменено).";
    case 410:
      return "Собрание отменено — итогов нет.";
    case 413:
      return "Бюллетень слишком велик для сервера.";
    case 415:
      return "Сервер не принял тип данных запроса (ожидается application/json).";
    case 422:
      return "Сервер не нашёл собрание, собственника или вопрос, указанные в бюллетене, либо бюллетень нарушает правила собрания.";
    case 429:
    case 503:
      return "Сервер перегружен. Повторите через минуту — повторная отправка безопасна.";
    default:
      if (status >= 500) return `Ошибка на сервере (код ${status}). Повторите позже.`;
      return `Запрос не выполнен (код ${status}).`;
  }
}

/** {message, detail, status, reason, field} for an ApiError (or any error). */
export function explain(error) {
  if (error && typeof error.userMessage === "string") {
    return { message: error.userMessage, detail: "", status: null, reason: "", field: "" };
  }
  if (!error || typeof error.status !== "number") {
    return { message: "Непредвиденная ошибка на странице.", detail: String(error && error.message ? error.message : error), status: null, reason: "", field: "" };
  }
  const problem = error.problem || null;
  const reason = reasonOf(problem);
  let message = REASONS[reason] || byStatus(error.status, error.context);
  if (error.status === 0 && error.message === "timeout") message = "Сервер не ответил вовремя. Проверьте связь и повторите — повторная отправка безопасна.";
  const detail = problem ? [problem.title, problem.detail].filter((t) => typeof t === "string" && t.length > 0).join(": ") : "";
  return { message, detail, status: error.status, reason, field: problem && typeof problem.field === "string" ? problem.field : "" };
}
