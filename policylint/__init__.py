"""policylint: lint AWS Step Functions agent workflows, IAM and AgentCore harness configs."""
__version__ = "0.2.0"
