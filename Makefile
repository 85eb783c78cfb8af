# Two commands do all set-up: `make run` and `make test` (see README).
.PHONY: run test lint admin eval-retrieval

run:
	@scripts/bootstrap.sh run

test:
	@scripts/bootstrap.sh test

lint:
	@scripts/bootstrap.sh lint

# Create a console account (an admin by default): make admin [NAME=alice] [ROLE=agent]
admin:
	@scripts/bootstrap.sh console create-user $(or $(NAME),admin) --role $(or $(ROLE),admin)

# Retrieval quality on a dataset in the shared eval format: make eval-retrieval DATA=<dir>
eval-retrieval:
	@scripts/bootstrap.sh eval-retrieval $(DATA)
