"""Every entry point fuzzed with Hypothesis against the running stack (real Rasa, real action
server, the loopback Bot API, real Prosody, the console under uvicorn): no 5xx, no crash, no
error in any log. ``make fuzz`` runs 10,000 inputs each; see tests/support/fuzzing.py."""

import asyncio
import json
import string
import urllib.parse

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import strategies as st

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.settings import GatewaySettings
from bot.telegram.app import create_bot, create_dispatcher, create_webhook_app
from bot.telegram.webhook import SECRET_HEADER
from bot.webchat.server import create_app as create_webchat
from tests.support.console import account, csrf_token, signed_in_http
from tests.support.fuzzing import FUZZ_EXAMPLES, JSON_VALUE, TEXT, LogWatch, as_json, fuzz
from tests.support.gateway import webhook_settings
from tests.support.prosody import CORP, FOREIGN
from tests.support.stack import free_port
from tests.support.xmpp_gateway import BOT_JID

WEBHOOK_SECRET = "fuzz-secret_0123456789"
# aiogram warns of an update with no content it knows (a generated {"update_id": 1}).
pytestmark = pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")


def stack_logs(stack) -> LogWatch:
    return LogWatch(stack.rasa.log_path, stack.action.log_path)


def report(entry_point: str, ran: int, watch: LogWatch) -> None:
    errors = watch.errors()
    print(f"\nfuzz {entry_point}: {ran} inputs, {len(errors)} errors logged")
    assert ran >= FUZZ_EXAMPLES
    assert errors == []


# --- the web chat ---------------------------------------------------------------------------

SESSIONS = st.sampled_from([f"fuzz-web-{n:04d}" for n in range(4)]) | st.text(max_size=70)
CHAT_MESSAGE = st.fixed_dictionaries(
    {"session": SESSIONS, "id": st.text(max_size=80) | st.integers()},
    optional={
        "text": TEXT | JSON_VALUE,
        "button": st.text(max_size=70) | JSON_VALUE,
        "command": st.sampled_from(["start", "help", "me", "mute", "unmute"]) | JSON_VALUE,
        "language": st.text(max_size=20) | JSON_VALUE,
    },
)
CHAT_REQUEST = st.one_of(
    st.tuples(st.just("post"), CHAT_MESSAGE.map(as_json)),
    st.tuples(st.just("post"), JSON_VALUE.map(as_json) | st.binary(max_size=400)),
    st.tuples(
        st.just("get"),
        st.fixed_dictionaries(
            {}, optional={"session": SESSIONS, "received": st.text(max_size=25)}
        ),
    ),
)


async def test_fuzz_the_web_chat(stack, stack_db):
    port = free_port()
    settings = GatewaySettings(
        webchat_port=port, webchat_enabled=True, webchat_messages_per_minute=10**6
    )
    app = create_webchat(Conversation(stack.rasa_client(), stack_db), stack_db, settings)
    client = TestClient(TestServer(app, host="127.0.0.1", port=port))
    await client.start_server()
    watch = stack_logs(stack)

    async def check(request) -> None:
        method, content = request
        if method == "post":
            response = await client.post("/api/messages", data=content)
        else:
            query = urllib.parse.urlencode(content, errors="surrogatepass")
            response = await client.get(f"/api/outbox?{query}")
        assert response.status < 500, await response.text()
        assert isinstance(await response.json(), dict)

    try:
        ran = await fuzz(CHAT_REQUEST, check, FUZZ_EXAMPLES)
    finally:
        await client.close()
    report("web chat", ran, watch)


# --- Telegram updates to the webhook --------------------------------------------------------

PERSON = st.fixed_dictionaries(
    {"id": st.integers(1, 2**40), "is_bot": st.booleans(), "first_name": st.text(max_size=30)},
    optional={"language_code": st.text(max_size=10), "username": st.text(max_size=20)},
)
CHAT = st.fixed_dictionaries(
    {
        "id": st.integers(-(2**40), 2**40),
        "type": st.sampled_from(["private", "group", "supergroup"]) | st.text(max_size=10),
    }
)
FILE = st.fixed_dictionaries(
    {"file_id": st.text(max_size=80), "file_unique_id": st.text(max_size=20)},
    optional={"file_size": st.integers(0, 2**40), "file_name": st.text(max_size=40)},
)
TG_MESSAGE = st.fixed_dictionaries(
    {"message_id": st.integers(1, 2**31), "date": st.integers(0, 2**31), "chat": CHAT},
    optional={
        "from": PERSON,
        "text": TEXT,
        "caption": TEXT,
        "photo": st.lists(FILE.map(lambda f: f | {"width": 1, "height": 1}), max_size=3),
        "document": FILE,
        "sticker": JSON_VALUE,
        "entities": st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["bot_command", "bold", "url"]),
                    "offset": st.integers(-5, 50),
                    "length": st.integers(-5, 50),
                }
            ),
            max_size=3,
        ),
    },
)
CALLBACK = st.fixed_dictionaries(
    {"id": st.text(max_size=20), "from": PERSON, "chat_instance": st.text(max_size=10)},
    optional={"data": st.text(max_size=100), "message": TG_MESSAGE},
)
UPDATE = st.fixed_dictionaries(
    {"update_id": st.integers(0, 2**31)},
    optional={
        "message": TG_MESSAGE,
        "edited_message": TG_MESSAGE,
        "callback_query": CALLBACK,
        "my_chat_member": JSON_VALUE,
    },
)
WEBHOOK_POST = st.tuples(
    st.one_of(UPDATE.map(as_json), JSON_VALUE.map(as_json), st.binary(max_size=300)),
    st.sampled_from([WEBHOOK_SECRET] * 8 + ["wrong", "", "секрет"]),
)


async def test_fuzz_telegram_updates_to_the_webhook(telegram, stack, stack_db):
    settings = webhook_settings(telegram, WEBHOOK_SECRET)
    bot = create_bot(settings)
    rasa = stack.rasa_client()
    app = create_webhook_app(bot, create_dispatcher(Conversation(rasa, stack_db)), settings)
    client = TestClient(TestServer(app))
    await client.start_server()
    [route] = [r for r in app.router.routes() if r.method == "POST"]
    background = route.handler.__self__._background_feed_update_tasks
    watch = stack_logs(stack)

    async def check(post) -> None:
        body, secret = post
        headers = {SECRET_HEADER: secret.encode().decode("latin-1")}
        response = await client.post(settings.webhook_path, data=body, headers=headers)
        assert response.status < 500, await response.text()

    try:
        ran = await fuzz(WEBHOOK_POST, check, FUZZ_EXAMPLES)
        while background:
            await asyncio.gather(*list(background), return_exceptions=True)
    finally:
        await client.close()
        await bot.session.close()
        await rasa.close()
    report("Telegram webhook", ran, watch)


# --- XMPP message bodies --------------------------------------------------------------------

XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from("\n\t"),
    max_size=500,
)
LOCAL_PART = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)
STANZA = st.fixed_dictionaries(
    {
        "from": st.tuples(LOCAL_PART, st.sampled_from([CORP, CORP.upper(), FOREIGN])).map(
            lambda p: f"fuzz{p[0]}@{p[1]}/phone"
        ),
        "body": XML_TEXT
        | TEXT.filter(lambda t: "\x00" not in t)
        | st.sampled_from(["1", "2", "0", "99999999999999999999", "-1"]),
        "type": st.sampled_from(["chat", "chat", "normal", "headline", "error"]),
        "id": st.text(string.ascii_letters + string.digits + "-", max_size=40),
    }
)


async def test_fuzz_xmpp_message_bodies(xmpp_gateway, stack):
    gateway = xmpp_gateway.gateway
    watch = stack_logs(stack)

    async def check(stanza) -> None:
        message = gateway.make_message(
            mto=BOT_JID, mbody=stanza["body"], mtype=stanza["type"], mfrom=stanza["from"]
        )
        message["id"] = stanza["id"]
        await gateway._on_message(message)

    ran = await fuzz(STANZA, check, FUZZ_EXAMPLES)
    report("XMPP bodies", ran, watch)


# --- console forms --------------------------------------------------------------------------

FIELDS = [
    "title", "category", "language", "keywords", "body", "action", "version", "article_id",
    "gap", "status", "note", "user_id", "reason", "channel", "department", "starts", "ends",
    "nomination_1", "metric_1", "weights_1", "username", "password",
]  # fmt: skip
ROUTES = [
    "/login",
    "/articles/new",
    "/articles/{}",
    "/articles/{}/status",
    "/contests",
    "/contests/{}/disqualify",
    "/contests/{}/announce",
    "/broadcasts",
    "/tickets/{}/take",
    "/tickets/{}/reply",
    "/tickets/{}/resolve",
    "/tickets/{}/junk",
]
PATH_PART = st.integers(-5, 10**22).map(str) | st.text(max_size=30) | st.sampled_from(["1", "2"])
FORM = st.dictionaries(st.sampled_from(FIELDS), TEXT | st.integers().map(str), max_size=8)
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
CONSOLE_POST = st.tuples(st.sampled_from(ROUTES), PATH_PART, FORM, st.booleans())


async def test_fuzz_console_forms(console, stack_db):
    http = await signed_in_http(console.url, account(stack_db, "fuzz-admin", "admin"))
    token = await csrf_token(http, f"{console.url}/broadcasts")
    watch = LogWatch()

    async def check(post) -> None:
        route, part, form, with_token = post
        path = route.format(urllib.parse.quote(part, safe="", errors="surrogatepass"))
        fields = form | ({"csrf_token": token} if with_token else {})
        # url-encoded as a browser sends a form; a lone surrogate goes as its (invalid) bytes
        body = urllib.parse.urlencode(fields, errors="surrogatepass")
        url = f"{console.url}{path}"
        async with http.post(url, data=body, headers=FORM_TYPE, allow_redirects=False) as response:
            assert response.status < 500, (path, form, await response.text())

    try:
        ran = await fuzz(CONSOLE_POST, check, FUZZ_EXAMPLES)
    finally:
        await http.close()
    report("console forms", ran, watch)


@pytest.mark.parametrize("body", [b"\xff\xfe", b"{", b"[" * 5000, as_json({"update_id": "x"})])
async def test_a_webhook_body_that_is_not_an_update_is_refused(telegram, stack_db, body):
    """What aiogram alone answered with 500, or accepted and then failed on."""
    settings = webhook_settings(telegram, WEBHOOK_SECRET)
    bot = create_bot(settings)
    rasa = RasaClient("http://127.0.0.1:9", 1, None)  # never asked: nothing gets through
    app = create_webhook_app(bot, create_dispatcher(Conversation(rasa, stack_db)), settings)
    async with TestClient(TestServer(app)) as client:
        refused = await client.post(
            settings.webhook_path, data=body, headers={SECRET_HEADER: WEBHOOK_SECRET}
        )
        foreign = await client.post(
            settings.webhook_path,
            data=b"{}",
            headers={SECRET_HEADER: "сек".encode().decode("latin-1")},
        )
        explained = json.loads(await refused.text())
    await bot.session.close()
    assert refused.status == 400 and foreign.status == 401
    assert explained["error"] == "not a Telegram update"
