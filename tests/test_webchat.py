"""The local web chat (what `make run` offers without a Telegram token)."""

import json
import uuid
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.conversation import Conversation
from bot.settings import GatewaySettings, TelegramSettings, XmppSettings
from bot.webchat.server import MAX_BODY_BYTES, create_app
from servicedesk import outbox, workflow
from servicedesk.db.models import OutboxMessage, utcnow
from servicedesk.identity import SenderId
from servicedesk.references import parse_reference
from servicedesk.users import touch_user
from tests.support.stack import free_port


async def start_chat(stack, stack_db, **settings) -> TestClient:
    port = free_port()
    chat_settings = GatewaySettings(webchat_port=port, webchat_enabled=True, **settings)
    app = create_app(Conversation(stack.rasa_client(), stack_db), stack_db, chat_settings)
    client = TestClient(TestServer(app, host="127.0.0.1", port=port))
    await client.start_server()
    return client


@pytest.fixture
async def chat(stack, stack_db):
    client = await start_chat(stack, stack_db)
    yield client
    await client.close()


def new_session() -> str:
    return "webtest-" + uuid.uuid4().hex[:12]


async def post(chat, **body):
    response = await chat.post("/api/messages", data=json.dumps(body))
    return response.status, await response.json()


async def test_the_page_is_served_with_no_external_assets(chat):
    response = await chat.get("/")
    page = await response.text()
    assert response.status == 200 and "deskbot" in page
    assert "http://" not in page and "https://" not in page
    assert ".innerHTML" not in page


async def test_a_whole_conversation_with_buttons(chat):
    status, greeting = await post(chat, session="webtest-0001", id="1", command="start")
    assert status == 200 and "deskbot" in greeting["replies"][0]["text"]

    status, answer = await post(chat, session="webtest-0001", id="2", text="не печатает принтер")
    assert "Вот что я нашёл" in answer["replies"][0]["text"]
    solved = next(b for r in answer["replies"] for b in r["buttons"] if b["title"] == "Решено")

    status, done = await post(chat, session="webtest-0001", id="3", button=solved["token"])
    assert "рад, что всё решилось" in done["replies"][0]["text"]

    status, again = await post(chat, session="webtest-0001", id="4", button=solved["token"])
    assert status == 409


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1,2]",
        b'{"session":"x","id":"1"}',
        b'{"session":"webtest-0002"}',
        b'{"session":"webtest-0002","id":"1","text":5}',
        b"\xff\xfe\x00",
        b'{"session":"webtest-0002","id":"1","command":"rm -rf"}',
        b'{"session":"webtest-0002","id":"1","command":{}}',
        b'{"session":"webtest-0002","id":"\\ud800","text":"hello"}',
        b'{"session":"webtest-0002","id":"1","text":"a\\udfffb"}',
        b'{"session":"webtest-0002","id":"1","text":"hi","language":"\\ud800"}',
        b'{"session":"webtest-0002","id":"1","text":' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b"[" * 30_000,
    ],
)
async def test_broken_requests_get_a_clear_error(chat, body):
    response = await chat.post("/api/messages", data=body)
    assert response.status == 400
    assert (await response.json())["error"]


async def test_an_oversized_body_is_refused(chat):
    response = await chat.post("/api/messages", data=b"x" * (MAX_BODY_BYTES + 1))
    assert response.status == 413


async def test_a_repeated_message_id_is_answered_once(chat):
    status, first = await post(chat, session="webtest-0003", id="same", text="hello")
    status, second = await post(chat, session="webtest-0003", id="same", text="hello")
    assert first["replies"] and second["replies"] == []


async def test_agent_messages_reach_the_web_chat_once_with_working_buttons(chat, stack_db):
    session = "webtest-0004"
    await post(chat, session=session, id="1", text="open a ticket")
    _, proposal = await post(chat, session=session, id="2", text="my second monitor is black")
    file_button = proposal["replies"][-1]["buttons"][0]
    _, filed = await post(chat, session=session, id="3", button=file_button["token"])
    number = parse_reference(filed["replies"][0]["text"])
    with stack_db.unit_of_work() as db_session:
        workflow.resolve(db_session, number, "Alice (tg:42)", "cable replaced")

    first = await (await chat.get(f"/api/outbox?session={session}")).json()
    [request] = first["replies"]
    received = request["id"]
    acknowledged = await chat.get(f"/api/outbox?session={session}&received={received}")
    assert (await acknowledged.json())["replies"] == []

    assert request["text"].startswith(f"SD-{number} «my second monitor is black» was resolved")
    stars = next(b for b in request["buttons"] if b["title"] == "★★★★★")
    _, rated = await post(chat, session=session, id="4", button=stars["token"])
    assert rated["replies"][0]["text"].startswith(f"Thank you for rating SD-{number}")


async def test_collecting_with_a_malformed_session_is_refused(chat):
    response = await chat.get("/api/outbox?session=../../etc")
    assert response.status == 400


@pytest.mark.parametrize("session", ["webtest-nl01\n", "webtest-nl02\r\n", "webtest-ok03 extra"])
async def test_a_session_id_with_anything_after_it_is_refused(chat, session):
    status, body = await post(chat, session=session, id="1", text="hello")
    assert status == 400 and body["error"].startswith("session must be")
    response = await chat.get("/api/outbox", params={"session": session})
    assert response.status == 400


async def test_a_message_collected_but_not_acknowledged_is_served_again(chat, stack_db):
    session = new_session()
    with stack_db.unit_of_work() as db:
        outbox.enqueue(db, "web", session, {"text": "An agent replied"}, f"{session}:1")

    lost = await (await chat.get("/api/outbox", params={"session": session})).json()
    [again] = (await (await chat.get("/api/outbox", params={"session": session})).json())[
        "replies"
    ]
    assert lost["replies"] == [again] and again["text"] == "An agent replied"
    with stack_db.unit_of_work() as db:
        assert db.get(OutboxMessage, again["id"]).status == "pending"

    acknowledged = {"session": session, "received": str(again["id"])}
    assert (await (await chat.get("/api/outbox", params=acknowledged)).json())["replies"] == []
    with stack_db.unit_of_work() as db:
        assert db.get(OutboxMessage, again["id"]).status == "sent"


@pytest.mark.parametrize("received", ["-1", "1e3", "١", "9" * 40, "x"])
async def test_a_forged_acknowledgement_is_refused(chat, received):
    params = {"session": new_session(), "received": received}
    assert (await chat.get("/api/outbox", params=params)).status == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "evil.example:8080"},  # a rebound DNS name pointing at loopback
    ],
)
async def test_requests_from_other_sites_are_refused(chat, headers):
    body = json.dumps({"session": new_session(), "id": "1", "text": "hello"})
    assert (await chat.post("/api/messages", data=body, headers=headers)).status == 403
    params = {"session": new_session()}
    assert (await chat.get("/api/outbox", params=params, headers=headers)).status == 403
    assert (await chat.get("/", headers=headers)).status == 403


async def test_the_page_itself_may_post(chat):
    own = f"http://127.0.0.1:{chat.server.port}"
    body = json.dumps({"session": new_session(), "id": "1", "command": "help"})
    response = await chat.post("/api/messages", data=body, headers={"Origin": own})
    assert response.status == 200


async def test_a_flood_from_one_session_is_slowed_down(stack, stack_db):
    chat = await start_chat(stack, stack_db, webchat_messages_per_minute=2)
    session = new_session()
    try:
        answers = [await post(chat, session=session, id=str(n), command="help") for n in range(3)]
        response = await chat.post(
            "/api/messages", data=json.dumps({"session": session, "id": "9", "command": "help"})
        )
    finally:
        await chat.close()
    assert [status for status, _ in answers] == [200, 200, 429]
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1
    assert "please wait" in answers[2][1]["error"]


@pytest.mark.parametrize(
    "ago", [{"last_seen": timedelta(hours=73)}, {"created": timedelta(days=31)}]
)
async def test_an_ended_session_is_refused_and_the_page_is_told(chat, stack_db, ago):
    session = new_session()
    with stack_db.unit_of_work() as db:
        person = touch_user(db, SenderId("web", session))
        person.last_seen_at = utcnow() - ago.get("last_seen", timedelta())
        person.created_at = utcnow() - ago.get("created", timedelta())
    status, body = await post(chat, session=session, id="1", text="hello")
    assert status == 401 and body["session_ended"] is True
    response = await chat.get("/api/outbox", params={"session": session})
    assert response.status == 401


def test_the_web_chat_is_off_by_default_once_a_messenger_is_configured():
    token = SecretStr("123456:" + "A" * 30)
    no_telegram, no_xmpp = TelegramSettings(bot_token=None), XmppSettings(jid=None)
    telegram, xmpp = TelegramSettings(bot_token=token), XmppSettings(jid="bot@corp.example.com")
    default = GatewaySettings(webchat_enabled=None)
    assert default.webchat_on(no_telegram, no_xmpp)
    assert not default.webchat_on(telegram, no_xmpp)
    assert not default.webchat_on(no_telegram, xmpp)
    assert GatewaySettings(webchat_enabled=True).webchat_on(telegram, xmpp)
