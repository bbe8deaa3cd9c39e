func hardwareBench() {
}
