import QtQuick

// The pair URI as a QR code on a white card. The image is rendered by the "qr" image
// provider at the item's own pixel size and drawn 1:1, so every module stays a whole
// number of pixels: no scaling, no smoothing, nothing blurred for the phone's camera.
Item {
    id: qrCode

    // What to encode; empty shows an empty card, never a stale code.
    property string text
    // The card's corner radius; its padding follows so the corners never cut the code.
    property real radius: Math.round(width * 0.035)

    // The text the image shows: trails `text` through the change-over animation so the old
    // code fades out before the new one fades in (never two codes overlapping).
    property string shownText: text
    readonly property int codeSide: Math.max(0, Math.floor(Math.min(width, height)
                                                           - 2 * cardPadding))
    readonly property int cardPadding: Math.ceil(radius * 0.3)

    onTextChanged: {
        if (text === shownText)
            return
        if (text.length > 0 && shownText.length > 0 && visible) {
            changeOver.restart()
        } else {
            changeOver.stop()
            codeImage.opacity = 1
            shownText = text
        }
    }

    SequentialAnimation {
        id: changeOver
        NumberAnimation {
            target: codeImage; property: "opacity"; to: 0
            duration: 180; easing.type: Easing.InQuad
        }
        // A script reads `text` as it runs; a PropertyAction kept the value it first bound.
        ScriptAction { script: qrCode.shownText = qrCode.text }
        NumberAnimation {
            target: codeImage; property: "opacity"; to: 1
            duration: 320; easing.type: Easing.OutQuad
        }
    }

    // Hugs the code: its quiet zone is margin enough, and the pixels left over from
    // rounding the module size would otherwise pad the card unevenly from size to size.
    Rectangle {
        id: card
        readonly property int side: codeImage.status === Image.Ready
                                    ? codeImage.width + 2 * qrCode.cardPadding
                                    : Math.min(qrCode.width, qrCode.height)
        x: Math.round((qrCode.width - side) / 2)
        y: Math.round((qrCode.height - side) / 2)
        width: side
        height: side
        radius: qrCode.radius
        color: Theme.codeBackground
    }

    Image {
        id: codeImage
        objectName: "qrCodeImage"
        // The provider fits a whole number of pixels per module into sourceSize, so the
        // image is usually a little smaller than asked: centre it on whole pixels.
        x: Math.round((qrCode.width - width) / 2)
        y: Math.round((qrCode.height - height) / 2)
        width: Math.min(implicitWidth, qrCode.codeSide)
        height: Math.min(implicitHeight, qrCode.codeSide)
        sourceSize.width: qrCode.codeSide
        sourceSize.height: qrCode.codeSide
        source: qrCode.shownText.length > 0 && qrCode.codeSide > 0
                ? "image://qr/" + encodeURIComponent(qrCode.shownText) : ""
        // Only scales when even one pixel per module is too big for the space (a tiny
        // window): then a squeezed code still beats one overflowing its card.
        fillMode: Image.PreserveAspectFit
        smooth: false
        mipmap: false
        // One code per token: keeping old ones would only hold spent tokens in memory.
        cache: false
        // Encoding takes well under a millisecond; loading in place means no frame ever
        // shows the card without its code.
        asynchronous: false
    }
}
