import QtQuick

// The daemon's short-lived message ("Sign-in for … failed: …", "Session ended. …") on a
// panel at the bottom edge, over whichever screen is up: below the standby screen's code
// and the session bar's End button, so it hides neither. It fades in and out; the last
// text stays while it fades out rather than the panel emptying first.
Rectangle {
    id: banner

    // What to show; empty hides the banner.
    property string message
    property real pixelSize: 24
    // The widest the banner may get; it hugs shorter messages.
    property real maximumWidth: 800

    // What is on screen now: trails `message` through the fade-out.
    readonly property alias text: label.text

    // Measured apart from the label, whose wrapping follows the width set from this.
    width: Math.round(Math.min(maximumWidth, metrics.advanceWidth(text) + 2 + 2 * horizontalPadding))
    height: label.height + 2 * verticalPadding
    readonly property real horizontalPadding: Math.round(pixelSize * 1.4)
    readonly property real verticalPadding: Math.round(pixelSize * 0.7)

    radius: Math.round(pixelSize * 0.6)
    color: Theme.banner
    border.width: Math.max(1, Math.round(pixelSize * 0.06))
    border.color: Theme.bannerBorder
    antialiasing: true

    opacity: message.length > 0 ? 1 : 0
    visible: opacity > 0
    Behavior on opacity { NumberAnimation { duration: 250; easing.type: Easing.InOutQuad } }

    onMessageChanged: {
        if (message.length > 0)
            label.text = message
    }
    Component.onCompleted: label.text = message

    FontMetrics {
        id: metrics
        font: label.font
    }

    Text {
        id: label
        anchors.centerIn: parent
        width: banner.width - 2 * banner.horizontalPadding
        horizontalAlignment: Text.AlignHCenter
        color: Theme.textPrimary
        font.pixelSize: Math.round(banner.pixelSize)
        font.weight: Font.Medium
        lineHeight: 1.15
        wrapMode: Text.Wrap
        maximumLineCount: 3
        elide: Text.ElideRight
    }

    Accessible.role: Accessible.AlertMessage
    Accessible.name: text
}
