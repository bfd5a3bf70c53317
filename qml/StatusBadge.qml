import QtQuick

// A coloured dot and a word ("Available", "In use", "Offline"): the state at a glance,
// readable from across the room even when the longer text is not.
Row {
    id: badge

    property string text
    property color color
    property real pixelSize: 24

    spacing: Math.round(pixelSize * 0.5)

    Rectangle {
        anchors.verticalCenter: parent.verticalCenter
        width: Math.round(badge.pixelSize * 0.6)
        height: width
        radius: width / 2
        color: badge.color
    }

    Text {
        anchors.verticalCenter: parent.verticalCenter
        text: badge.text
        color: badge.color
        font.pixelSize: badge.pixelSize
        font.weight: Font.DemiBold
        font.letterSpacing: badge.pixelSize * 0.08
        font.capitalization: Font.AllUppercase
    }
}
