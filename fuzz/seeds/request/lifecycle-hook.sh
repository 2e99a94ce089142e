aws autoscaling put-lifecycle-hook --lifecycle-hook-name my-hook --auto-scaling-group-name my-asg \
  --lifecycle-transition autoscaling:EC2_INSTANCE_LAUNCHING \
  --notification-target-arn arn:aws:sns:us-west-2:111122223333:my-sns-topic \
  --role-arn arn:aws:iam::111122223333:role/my-notification-role
