"""Texts that deskbot composes in code, per language. Dialogue texts live in nlu/domain.yml."""

from servicedesk.language import DEFAULT

_TEXTS: dict[str, dict[str, str]] = {
    "core_unavailable": {
        "en": "Sorry, I am temporarily unavailable. I have kept your message and will answer "
        "it as soon as I am back.",
        "ru": "Извините, я временно недоступен. Я сохранил ваше сообщение и отвечу на него, "
        "как только снова заработаю.",
    },
    "core_unavailable_retry": {
        "en": "Sorry, I am temporarily unavailable. Please try again in a few minutes.",
        "ru": "Извините, я временно недоступен. Попробуйте, пожалуйста, ещё раз через несколько "
        "минут.",
    },
    "kept_message_expired": {
        "en": "Sorry, I was unavailable for too long to answer «{text}». Please write to me "
        "again.",
        "ru": "Извините, я был недоступен слишком долго, чтобы ответить на «{text}». Напишите "
        "мне, пожалуйста, ещё раз.",
    },
    "action_interrupted": {
        "en": "Sorry, I was interrupted while handling your last action. Please do it again.",
        "ru": "Извините, меня прервали, пока я выполнял ваше последнее действие. Повторите его, "
        "пожалуйста.",
    },
    "text_only": {
        "en": "I understand text messages only. Please describe your problem in words.",
        "ru": "Я понимаю только текстовые сообщения. Опишите, пожалуйста, проблему словами.",
    },
    "empty_message": {
        "en": "Your message looks empty. Please describe your problem in words.",
        "ru": "Сообщение пустое. Опишите, пожалуйста, проблему словами.",
    },
    "message_truncated": {
        "en": "Your message was very long; I read its first {limit} characters.",
        "ru": "Сообщение очень длинное; я прочитал первые {limit} символов.",
    },
    "stale_button": {
        "en": "This button is no longer active.",
        "ru": "Эта кнопка больше не действует.",
    },
    "suggestions_intro": {
        "en": "Here is what I found in the knowledge base:",
        "ru": "Вот что я нашёл в базе знаний:",
    },
    "might_help": {
        "en": "I am not sure, but this might help:",
        "ru": "Не уверен, но это может помочь:",
    },
    "offer_request_ticket": {"en": "Open a ticket", "ru": "Создать заявку"},
    "offer_human_handoff": {"en": "Talk to a person", "ru": "Связаться с сотрудником"},
    "offer_check_status": {"en": "My tickets", "ru": "Мои заявки"},
    "offer_reopen_ticket": {"en": "Reopen my ticket", "ru": "Переоткрыть заявку"},
    "offer_reply_ticket": {"en": "Add to my ticket", "ru": "Дополнить заявку"},
    "offer_my_profile": {"en": "My badges", "ru": "Мои значки"},
    "offer_mute": {"en": "Mute announcements", "ru": "Отключить объявления"},
    "offer_unmute": {"en": "Unmute announcements", "ru": "Включить объявления"},
    "offer_contest_standings": {"en": "The contest", "ru": "Конкурс"},
    "ask_solved": {
        "en": "Did that solve your problem?",
        "ru": "Это решило проблему?",
    },
    "button_solved": {"en": "Solved", "ru": "Решено"},
    "button_need_help": {"en": "I still need help", "ru": "Мне всё ещё нужна помощь"},
    "button_read": {"en": "Read: {title}", "ru": "Читать: {title}"},
    "no_match": {
        "en": "I could not find an answer in the knowledge base.",
        "ru": "Я не нашёл ответа в базе знаний.",
    },
    "needs_ticket": {
        "en": "Sorry that did not help.",
        "ru": "Жаль, что это не помогло.",
    },
    "escalated": {
        "en": "All right, your request goes to the service desk.",
        "ru": "Хорошо, ваш запрос передаётся в службу поддержки.",
    },
    "no_open_tickets": {
        "en": "You have no open tickets with the service desk.",
        "ru": "У вас нет открытых заявок в службе поддержки.",
    },
    "open_tickets": {"en": "Your open tickets:", "ru": "Ваши открытые заявки:"},
    "ticket_line": {
        "en": "{reference} · {status} · {subject} (updated {updated})",
        "ru": "{reference} · {status} · {subject} (обновлена {updated})",
    },
    "ticket_not_found": {
        "en": "I can't find a ticket {reference} of yours.",
        "ru": "Я не нашёл у вас заявку {reference}.",
    },
    "status_new": {"en": "new", "ru": "новая"},
    "status_in_progress": {"en": "in progress", "ru": "в работе"},
    "status_resolved": {"en": "resolved", "ru": "решена"},
    "status_closed": {"en": "closed", "ru": "закрыта"},
    "status_junk": {"en": "closed as not a request", "ru": "закрыта как не заявка"},
    "solved_thanks": {
        "en": "Great, glad it is solved! Thank you for helping yourself.",
        "ru": "Отлично, рад, что всё решилось! Спасибо, что справились самостоятельно.",
    },
    "nothing_pending": {
        "en": "Tell me what is not working and I will look for an answer.",
        "ru": "Опишите, что не работает, и я поищу ответ.",
    },
    "propose_ticket": {
        "en": "I'll file this for the service desk:\n«{summary}»\nAnything to add? Write it "
        "here (files are welcome too), or press File the ticket.",
        "ru": "Я передам в службу поддержки такую заявку:\n«{summary}»\nХотите что-то "
        "добавить? Напишите здесь (можно приложить файлы) или нажмите «Создать заявку».",
    },
    "ask_description": {
        "en": "I'll file a ticket for the service desk. Describe the problem in a few words.",
        "ru": "Я создам заявку в службу поддержки. Опишите проблему в нескольких словах.",
    },
    "details_added": {
        "en": "Added. Anything else, or shall I file it?",
        "ru": "Добавил. Что-то ещё, или создаём заявку?",
    },
    "button_file": {"en": "File the ticket", "ru": "Создать заявку"},
    "button_cancel": {"en": "Cancel", "ru": "Отмена"},
    "ticket_filed": {
        "en": "Done: your ticket is {reference} ({category}, priority {priority}). I'll write "
        "here when an agent answers.",
        "ru": "Готово: ваша заявка {reference} ({category}, приоритет {priority}). Я напишу "
        "сюда, когда ответит специалист.",
    },
    "filing_cancelled": {
        "en": "All right, I did not file it. Write to me whenever you need help.",
        "ru": "Хорошо, заявку не создаю. Пишите, если понадобится помощь.",
    },
    "filing_failed": {
        "en": "Sorry, I could not file the ticket just now. Nothing was filed; please press "
        "File the ticket again in a minute.",
        "ru": "Извините, сейчас не удалось создать заявку. Ничего не создано; нажмите, "
        "пожалуйста, «Создать заявку» ещё раз через минуту.",
    },
    "draft_gone": {
        "en": "That ticket draft is no longer open. Describe the problem again and I'll help.",
        "ru": "Этот черновик заявки уже закрыт. Опишите проблему ещё раз, и я помогу.",
    },
    "attachment_kept": {
        "en": "I've kept your file: it goes into the ticket if you need one. Now describe the "
        "problem in words.",
        "ru": "Файл сохранён: он попадёт в заявку, если она понадобится. Теперь опишите "
        "проблему словами.",
    },
    "attachment_added": {
        "en": "File added to your request. Anything else, or shall I file it?",
        "ru": "Файл добавлен к запросу. Что-то ещё, или создаём заявку?",
    },
    "ticket_taken": {
        "en": "{reference} «{subject}»: an agent is working on it now.",
        "ru": "{reference} «{subject}»: специалист взял заявку в работу.",
    },
    "agent_wrote": {
        "en": "{reference} · the service desk writes:\n{body}",
        "ru": "{reference} · сообщение от службы поддержки:\n{body}",
    },
    "button_reply": {"en": "Reply on {reference}", "ru": "Ответить по {reference}"},
    "resolved_rate": {
        "en": "{reference} «{subject}» was resolved: {note}\nHow would you rate the help?",
        "ru": "{reference} «{subject}» решена: {note}\nКак вы оцените помощь?",
    },
    "ticket_junked": {
        "en": "{reference} «{subject}» was closed: the service desk found it is not a request "
        "for them. Write to me if you still need help.",
        "ru": "{reference} «{subject}» закрыта: служба поддержки сочла, что это не заявка. "
        "Напишите мне, если помощь всё же нужна.",
    },
    "write_reply": {
        "en": "Write your message for {reference}; I'll pass it to the agent.",
        "ru": "Напишите сообщение по {reference}, я передам его специалисту.",
    },
    "choose_ticket": {
        "en": "Which ticket is your message about?",
        "ru": "К какой заявке относится ваше сообщение?",
    },
    "reply_sent": {
        "en": "Sent to the service desk on {reference}.",
        "ru": "Передал в службу поддержки по {reference}.",
    },
    "ticket_closed_no_reply": {
        "en": "{reference} is no longer open, so I can't add to it. Describe the problem and "
        "I'll help.",
        "ru": "{reference} уже закрыта, добавить к ней нельзя. Опишите проблему, и я помогу.",
    },
    "rating_thanks": {
        "en": "Thank you for rating {reference} {stars}! If you like, write a short comment now.",
        "ru": "Спасибо за оценку {reference}: {stars}! Если хотите, напишите короткий "
        "комментарий.",
    },
    "comment_thanks": {
        "en": "Thank you, your comment is saved.",
        "ru": "Спасибо, комментарий сохранён.",
    },
    "rating_refused": {
        "en": "I can't take that rating: {reason}.",
        "ru": "Не могу принять эту оценку: {reason}.",
    },
    "reason_not_yours": {
        "en": "it is not a ticket of yours",
        "ru": "это не ваша заявка",
    },
    "reason_not_resolved": {
        "en": "the ticket is not resolved",
        "ru": "заявка не решена",
    },
    "reason_too_late": {
        "en": "a rating can be changed within 24 hours only",
        "ru": "оценку можно изменить только в течение 24 часов",
    },
    "reason_stars": {
        "en": "a rating is 1 to 5 stars",
        "ru": "оценка — от 1 до 5 звёзд",
    },
    "nothing_to_rate": {
        "en": "There is nothing to rate right now: I'll ask for a rating when an agent "
        "resolves your ticket.",
        "ru": "Сейчас нечего оценивать: я попрошу оценку, когда специалист решит вашу заявку.",
    },
    "reopened": {
        "en": "{reference} «{subject}» is open again; the service desk has been told.",
        "ru": "{reference} «{subject}» снова открыта; служба поддержки уже знает.",
    },
    "nothing_to_reopen": {
        "en": "I found no ticket of yours resolved in the last 7 days. Describe the problem "
        "and I'll help.",
        "ru": "Я не нашёл ваших заявок, решённых за последние 7 дней. Опишите проблему, и я "
        "помогу.",
    },
    "button_write_to": {"en": "Write on {reference}", "ru": "Написать по {reference}"},
    "priority_low": {"en": "low", "ru": "низкий"},
    "priority_normal": {"en": "normal", "ru": "обычный"},
    "priority_high": {"en": "high", "ru": "высокий"},
    "priority_critical": {"en": "critical", "ru": "критический"},
    "foreign_domain": {
        "en": "Sorry, I serve the employees of {domains} only.",
        "ru": "Извините, я обслуживаю только сотрудников {domains}.",
    },
    "no_such_choice": {
        "en": "There is no choice {number}: answer with a number from 1 to {offered}, "
        "or in words.",
        "ru": "Варианта {number} нет: ответьте числом от 1 до {offered} или словами.",
    },
    "contest_results": {
        "en": "🏆 Results of the self-service contest «{title}»:",
        "ru": "🏆 Итоги конкурса самообслуживания «{title}»:",
    },
    "contest_no_winner": {"en": "no winner", "ru": "без победителя"},
    "contest_employee": {"en": "employee #{id}", "ru": "сотрудник №{id}"},
    "contest_running": {
        "en": "The self-service contest «{title}» runs until {ends}. You have taken part "
        "{count} times so far. What counts stays secret until the results are announced.",
        "ru": "Конкурс самообслуживания «{title}» идёт до {ends}. Вы участвовали уже {count} "
        "раз. Что учитывается, станет известно при объявлении итогов.",
    },
    "contest_none": {
        "en": "No self-service contest is running right now.",
        "ru": "Сейчас конкурс самообслуживания не проводится.",
    },
    "muted": {
        "en": "Done: I won't send you announcements any more. /unmute turns them back on.",
        "ru": "Готово: больше не буду присылать объявления. /unmute включит их снова.",
    },
    "unmuted": {
        "en": "Done: you will get announcements again. /mute turns them off.",
        "ru": "Готово: объявления снова включены. /mute их выключит.",
    },
    "me_header": {"en": "Your activity with deskbot:", "ru": "Ваша активность в deskbot:"},
    "me_activity": {
        "en": "questions: {questions} (solved by yourself: {solved}) · tickets: {tickets} · "
        "ratings given: {ratings}",
        "ru": "вопросов: {questions} (решено самостоятельно: {solved}) · заявок: {tickets} · "
        "оценок: {ratings}",
    },
    "me_badges": {"en": "Your badges:", "ru": "Ваши награды:"},
    "me_no_badges": {"en": "No badges yet.", "ru": "Наград пока нет."},
    "article_missing": {
        "en": "That article is no longer available.",
        "ru": "Эта статья больше недоступна.",
    },
}


def text(key: str, language: str | None, **values: object) -> str:
    """The text ``key`` in ``language`` (English when there is no translation or language)."""
    variants = _TEXTS[key]
    template = variants.get(language) or variants[DEFAULT]
    return template.format(**values) if values else template
