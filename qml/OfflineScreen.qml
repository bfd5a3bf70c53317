import QtQuick

// The display can't be borrowed right now (its own connection is down). Says so plainly,
// with the daemon's one-line reason, and shows no code at all: a code nobody can use
// would only make people try, fail and give up on the screen.
Item {
    id: screen

    required property QtObject display

    readonly property real unit: Math.min(width, height) / 100
    readonly property real textWidth: Math.min(width - unit * 16, unit * 130)

    Column {
        id: message
        anchors.centerIn: parent
        width: screen.textWidth
        // Badge and title belong together; the explanation stands a little apart.
        spacing: 0

        StatusBadge {
            anchors.horizontalCenter: parent.horizontalCenter
            text: qsTr("Offline")
            color: Theme.offline
            pixelSize: Math.round(screen.unit * 3.2)
        }

        ScreenTitle {
            topPadding: Math.round(screen.unit * 2)
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            visible: text.length > 0
            text: screen.display.label
            pixelSize: screen.unit * 9
        }

        Text {
            topPadding: Math.round(screen.unit * 5)
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("This screen can\u2019t be used right now.")
            color: Theme.textSecondary
            font.pixelSize: Math.round(screen.unit * 4.6)
            lineHeight: 1.1
            wrapMode: Text.Wrap
        }

        Text {
            topPadding: Math.round(screen.unit * 2.5)
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            visible: text.length > 0
            text: screen.display.notice
            color: Theme.textMuted
            font.pixelSize: Math.round(screen.unit * 3.4)
            lineHeight: 1.15
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
        }
    }
}
