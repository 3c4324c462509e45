"""The bounds that keep a run linear whatever the input: sizes, expansions, findings."""
from __future__ import annotations

MAX_BYTES = 5 * 1024 * 1024  # a file's size limit, unless the config's max-file-size says otherwise
MAX_EXPORT_BYTES = 200 * 1024 * 1024  # an account export's: 6,000 roles are about 14 MB
MAX_NODES = 250_000  # a document expanding past this through YAML aliases is a bomb (real ones: < 3,000)
MAX_FINDINGS = 1_000  # of one rule in one file: the one after it says how many more there are
MAX_ASKED = 100 * MAX_FINDINGS  # a rule is not asked for more than this on one document
# Characters of YAML whose node trees a run keeps for positions (about 20 bytes a character):
# past them, a file's tree is let go once loaded, and composed again if a finding needs it.
MAX_KEPT_TREES = 4 * 1024 * 1024
