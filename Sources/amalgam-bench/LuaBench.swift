func luaBench() {
}
