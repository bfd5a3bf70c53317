import QtQuick

// Text that shrinks (down to minimumScale) rather than wrap into a ragged extra line or
// get cut off: each paragraph (the text split at "\n") must fit in linesAllowed lines of
// the item's width. Sized from font metrics, not by trial layout, so no binding loops.
Text {
    id: fitting

    // The size wanted when the text fits.
    property real pixelSize: 32
    property real minimumScale: 0.6
    property int linesAllowed: 1
    property int fontWeight: Font.Normal
    // Letter spacing as a share of the font size, so it scales with it.
    property real letterSpacingEm: 0

    // At pixelSize. Reading metrics.font makes the binding follow font changes, which a
    // call to advanceWidth() alone would not.
    readonly property real widestParagraph: {
        if (metrics.font.pixelSize <= 0)
            return 0
        let widest = 0
        for (const paragraph of text.split("\n"))
            widest = Math.max(widest, metrics.advanceWidth(paragraph))
        return widest
    }
    // Wrapping wastes the end of every line but the last: leave room for that.
    readonly property real usableWidth: width * (linesAllowed > 1 ? linesAllowed * 0.8 : 0.98)
    readonly property int fittedPixelSize: Math.round(widestParagraph <= usableWidth
                                                      ? pixelSize
                                                      : Math.max(pixelSize * minimumScale,
                                                                 pixelSize * usableWidth
                                                                 / widestParagraph))

    FontMetrics {
        id: metrics
        font.pixelSize: fitting.pixelSize
        font.weight: fitting.fontWeight
        font.letterSpacing: fitting.pixelSize * fitting.letterSpacingEm
    }

    font.pixelSize: fittedPixelSize
    font.weight: fontWeight
    font.letterSpacing: fittedPixelSize * letterSpacingEm
    wrapMode: Text.Wrap
}
