// Break-glass re-identification looks a patient up by pseudonym.
CREATE INDEX patient_pseudonym IF NOT EXISTS FOR (n:Patient) ON (n.pseudonym)
