aws configure set aws_access_key_id ASIAIOSFODNN7EXAMPLE --profile sso-admin
aws configure set aws_secret_access_key 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLE'\''$KEY' --profile sso-admin
aws configure set aws_session_token IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+EXAMPLE= --profile sso-admin
