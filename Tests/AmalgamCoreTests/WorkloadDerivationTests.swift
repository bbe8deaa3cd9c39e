import XCTest
@testable import AmalgamCore

/// `TransformerModel.derived`: a preset with some fields replaced.
final class WorkloadDerivationTests: XCTestCase {
    func testUnchangedFieldsAreKeptAndOverridesApplied() throws {
        let base = try TransformerModel.preset("llama2-7b")
        XCTAssertEqual(try base.derived(), base)
        let long = try base.derived(name: "llama2-7b-8k", seqLen: 8192)
        XCTAssertEqual(long.seqLen, 8192)
        XCTAssertEqual(long.name, "llama2-7b-8k")
        // Everything else is the base's; the block shape (calibration key) is unchanged.
        XCTAssertEqual(long.blockShapeKey, base.blockShapeKey)
        XCTAssertEqual(try long.withSeqLen(4096).derived(name: "llama2-7b"), base)
    }

    func testMultiHeadKVFollowsHeadsAndGQAKeepsItsKV() throws {
        // llama2-7b is multi-head (kv = heads = 32): new heads carry kv along.
        let mha = try TransformerModel.preset("llama2-7b").derived(heads: 16)
        XCTAssertEqual(mha.kvHeads, 16)
        // llama2-70b is GQA (64 heads, 8 KV): the 8 stays.
        let gqa = try TransformerModel.preset("llama2-70b").derived(heads: 32)
        XCTAssertEqual(gqa.kvHeads, 8)
    }

    func testUnfactorisedEmbeddingFollowsHidden() throws {
        let wide = try TransformerModel.preset("gpt3-125m").derived(hidden: 1024, heads: 16)
        XCTAssertEqual(wide.embeddingDim, 1024)
        // OPT-350M's factorised 512-wide embedding is kept.
        XCTAssertEqual(try TransformerModel.preset("opt-350m").derived(hidden: 2048).embeddingDim, 512)
    }

    func testInvalidOverridesAreRejectedByName() throws {
        let base = try TransformerModel.preset("llama2-70b")
        XCTAssertThrowsError(try base.derived(heads: 4)) { e in
            XCTAssertTrue("\(e)".contains("kv_heads (8) must divide heads (4)"), "\(e)")
        }
        XCTAssertThrowsError(try base.derived(seqLen: -1)) { e in
            XCTAssertTrue("\(e)".contains("seq_len must be >= 1, got -1"), "\(e)")
        }
    }
}
