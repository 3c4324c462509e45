"""IAM5xx (and HRN408): IAM policies and roles, alone and as the workflow/harness boundary."""
