"""Pure rules and value objects. Never imports web3, fastapi or sqlalchemy."""
