# The widely used community module: the group is made inside it.
module "asg" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "~> 8.0"

  name             = "web"
  min_size         = 1
  max_size         = 3
  image_id         = "ami-0abcdef1234567890"
  instance_type    = "t3.micro"
}
