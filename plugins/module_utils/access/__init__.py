# Private to this collection: who may use the services (users, roles, tokens, login) and the journal of their actions.
