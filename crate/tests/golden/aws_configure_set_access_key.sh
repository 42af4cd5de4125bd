aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE --profile deploy-bot
aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY --profile deploy-bot
