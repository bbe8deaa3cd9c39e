func workloadBench() {
}
