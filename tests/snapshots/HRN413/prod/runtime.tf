resource "aws_bedrockagentcore_agent_runtime" "support" {
  agent_runtime_name = "support"
  role_arn           = "arn:aws:iam::111122223333:role/support-runtime"

  agent_runtime_artifact {
    container_configuration {
      container_uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/support:v1"
    }
  }

  network_configuration {
    network_mode = "PUBLIC"
  }
}
