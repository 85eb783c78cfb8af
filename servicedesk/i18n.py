"""Texts that deskbot composes in code, per language. Dialogue texts live in nlu/domain.yml."""

from servicedesk.language import DEFAULT

_TEXTS: dict[str, dict[str, str]] = {
    "core_unavailable": {
        "en": "Sorry, I am temporarily unavailable. Your message is saved; please try again "
        "in a few minutes.",
        "ru": "Извините, я временно недоступен. Ваше сообщение сохранено; попробуйте, "
        "пожалуйста, ещё раз через несколько минут.",
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
    "ask_solved": {
        "en": "Did that solve your problem?",
        "ru": "Это решило проблему?",
    },
    "button_solved": {"en": "Solved", "ru": "Решено"},
    "button_need_help": {"en": "I still need help", "ru": "Мне всё ещё нужна помощь"},
    "button_read": {"en": "Read: {title}", "ru": "Читать: {title}"},
    "no_match": {
        "en": "I could not find an answer in the knowledge base. Your request goes to the "
        "service desk; an agent will take it from here.",
        "ru": "Я не нашёл ответа в базе знаний. Ваш запрос передаётся в службу поддержки; "
        "дальше им займётся специалист.",
    },
    "needs_ticket": {
        "en": "Sorry that did not help. Your request goes to the service desk; an agent will "
        "take it from here.",
        "ru": "Жаль, что это не помогло. Ваш запрос передаётся в службу поддержки; дальше им "
        "займётся специалист.",
    },
    "escalated": {
        "en": "All right, your request goes to the service desk; an agent will take it from here.",
        "ru": "Хорошо, ваш запрос передаётся в службу поддержки; дальше им займётся специалист.",
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
    "article_missing": {
        "en": "That article is no longer available.",
        "ru": "Эта статья больше недоступна.",
    },
}


def text(key: str, language: str, **values: object) -> str:
    """The text ``key`` in ``language`` (English when there is no translation)."""
    variants = _TEXTS[key]
    template = variants.get(language) or variants[DEFAULT]
    return template.format(**values) if values else template
