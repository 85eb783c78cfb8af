"""The local web chat (what `make run` offers without a Telegram token)."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation import Conversation
from bot.rasa_client import RasaClient
from bot.webchat.server import MAX_BODY_BYTES, create_app
from servicedesk import workflow
from servicedesk.references import parse_reference


@pytest.fixture
async def chat(stack, stack_db):
    rasa = RasaClient(stack.rasa_url, 30)
    client = TestClient(TestServer(create_app(Conversation(rasa, stack_db), stack_db)))
    await client.start_server()
    yield client
    await client.close()
    await rasa.close()


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
    second = await (await chat.get(f"/api/outbox?session={session}")).json()

    [request] = first["replies"]
    assert request["text"].startswith(f"SD-{number} «my second monitor is black» was resolved")
    assert second["replies"] == []
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
