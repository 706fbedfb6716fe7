from cutover.registry import DomainSpec, MongoIndex

CHAT_DOMAIN = DomainSpec(
    name="chat",
    collections=("chats",),  # its messages are elements of `chats` documents (cutover.embedded)
    models=("chat.Chat", "chat.ChatParticipant", "chat.ChatMessage"),
    port="chat.repositories.base.ChatRepository",
    mongo_repository="chat.repositories.mongo.MongoChatRepository",
    postgres_repository="chat.repositories.postgres.PostgresChatRepository",
    depends_on=("auth", "marketplace"),
    demo_seeder="chat.demo.seed_demo_chats",
    mongo_indexes=(
        MongoIndex("chats", (("participants", 1), ("lastMessageAt", -1))),
        MongoIndex("chats", (("messages._id", 1),)),  # the mirror finds a message's chat by its id
    ),
)
