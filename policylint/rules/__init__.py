"""policylint's built-in rules, one package or module per family, each module a plugin
registered through the ``policylint`` entry-point group like any third-party one:

- ``asl/``: ASL1xx, the definition is valid Amazon States Language;
- ``workflow.py``: SFN2xx, resilience of any workflow (Retry, timeouts, Map);
- ``agent/``: AGT3xx, agent tasks (invokeHarness) and the workflow around them;
- ``harness.py``: HRN4xx, AgentCore harness configs;
- ``iam/``: IAM5xx and HRN408, policies and roles.

A rule reads documents (``policylint.models``) and, when cross-file, the project index;
it never loads files. The PL0xx problems with the input belong to the engine
(``policylint.problems``).

A built-in rule is a generator function followed by its declaration,
``name = rule(CODE, NAME, SEVERITY, summary=..., kinds=...)(name)``: the ``@rule`` decorator
written out, because mutmut does not mutate decorated functions, and a rule's body is what
its tests must be able to catch breaking. Plugins may use the decorator."""
