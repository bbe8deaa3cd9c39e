print("amalgam")
