// One pseudonym secret per store: two first ingests racing cannot make two.
CREATE CONSTRAINT pseudonym_key_id IF NOT EXISTS FOR (n:PseudonymKey) REQUIRE n.id IS UNIQUE
