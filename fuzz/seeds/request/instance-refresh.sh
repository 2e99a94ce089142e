aws autoscaling start-instance-refresh --cli-input-json '{"AutoScalingGroupName": "my-asg", "DesiredConfiguration": {"LaunchTemplate": {"LaunchTemplateId": "lt-0123", "Version": "$Latest"}}}'
