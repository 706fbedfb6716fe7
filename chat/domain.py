from cutover.modes.registry import DomainSpec
from cutover.store.mongo_indexes import MongoIndex

CHAT_DOMAIN = DomainSpec(
    name="chat",
    flag="CHAT_STORE",
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
