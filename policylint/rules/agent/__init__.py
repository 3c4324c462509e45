"""AGT3xx: Task states that invoke a Bedrock AgentCore harness, and the workflow around them."""
