# From the Auto Scaling user guide: a group from a launch template, across two subnets.
aws autoscaling create-auto-scaling-group \
    --auto-scaling-group-name my-asg \
    --launch-template LaunchTemplateId=lt-1234567890abcde12,Version='$Latest' \
    --min-size 1 --max-size 3 \
    --vpc-zone-identifier "subnet-5ea0c127,subnet-6194ea3b" \
    --tags "Key=env,Value=prod,PropagateAtLaunch=true"
