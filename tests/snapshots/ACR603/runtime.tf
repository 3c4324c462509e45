resource "aws_bedrockagentcore_agent_runtime" "crm" {
  agent_runtime_name = "crm_agent"
  role_arn           = aws_iam_role.runtime.arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = "${aws_ecr_repository.crm.repository_url}:latest"
    }
  }

  environment_variables = {
    ENV             = "production"
    SALESFORCE_AUTH = "Bearer 00D5g000004ABCD!AQ4AQFakeTokenValue"
  }

  network_configuration {
    network_mode = "PUBLIC"
  }
}
