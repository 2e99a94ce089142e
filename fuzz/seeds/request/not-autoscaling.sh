aws ec2 run-instances --image-id ami-1 --count 1
