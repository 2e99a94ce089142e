aws --region eu-west-1 autoscaling create-auto-scaling-group --auto-scaling-group-name web \
  --launch-template '{"LaunchTemplateName": "web-lt", "Version": "3"}' \
  --service-linked-role-arn arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_web \
  --min-size 2 --max-size 6
