"""ASL1xx: the state machine is valid Amazon States Language (JSONPath and JSONata)."""
