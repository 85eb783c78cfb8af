# Two commands do all set-up: `make run` and `make test` (see README).
.PHONY: run test lint admin

run:
	@scripts/bootstrap.sh run

test:
	@scripts/bootstrap.sh test

lint:
	@scripts/bootstrap.sh lint

# Create a console account (an admin by default): make admin [NAME=alice] [ROLE=agent]
admin:
	@scripts/bootstrap.sh console create-user $(or $(NAME),admin) --role $(or $(ROLE),admin)
