"""The XMPP (Jabber) adapter: employees in 1:1 chats, agents in a multi-user chat room."""
