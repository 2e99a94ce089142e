aws autoscaling create-launch-configuration --launch-configuration-name my-lc \
  --image-id ami-04d5cc9b88f9d1d39 --instance-type m5.large \
  --iam-instance-profile my-instance-profile \
  --block-device-mappings '[{"DeviceName":"/dev/xvda","Ebs":{"VolumeSize":20,"Encrypted":true,"KmsKeyId":"arn:aws:kms:us-east-1:111122223333:key/abcd"}}]'
