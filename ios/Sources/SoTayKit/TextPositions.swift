// Text positions: the core counts Unicode code points; Swift strings count characters.

import Foundation
import SoTayFFI

extension String {
    /// The code-point offsets (what the store's positions and anchors count) of the first
    /// occurrence of `needle`, or `nil`. Compared as the store keeps text: NFC.
    public func codePointRange(of needle: String) -> Range<Int>? {
        let haystack = precomposedStringWithCanonicalMapping
        let needle = needle.precomposedStringWithCanonicalMapping
        guard !needle.isEmpty, let found = haystack.range(of: needle, options: .literal) else { return nil }
        let scalars = haystack.unicodeScalars
        let start = scalars.distance(from: scalars.startIndex, to: found.lowerBound)
        let length = scalars.distance(from: found.lowerBound, to: found.upperBound)
        return start..<(start + length)
    }
}

extension TextDocument {
    /// Where `quote` first appears in the body, in code points (for anchoring a comment).
    public func codePointRange(of quote: String) -> Range<Int>? {
        body.codePointRange(of: quote)
    }
}

extension Anchor {
    /// The anchor's range in the current text, in code points.
    public var codePoints: Range<Int> { Int(start)..<Int(end) }
}
