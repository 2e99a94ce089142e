aws autoscaling attach-traffic-sources --auto-scaling-group-name my-asg \
  --traffic-sources "Identifier=arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123,Type=vpc-lattice"
