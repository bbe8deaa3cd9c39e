func collectivesBench() {
}
