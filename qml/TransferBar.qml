import QtQuick

// A session's state on its way to or from the phone: how much has moved and how long is
// left, over the bottom of the app while it runs, then for a few seconds how it ended.
Rectangle {
    id: panel
    objectName: "transferBar"

    required property QtObject display
    required property real unit

    readonly property bool running: display.transferRunning
    property bool lingering: false

    opacity: (running || lingering) && display.transferLine.length > 0 ? 1 : 0
    visible: opacity > 0
    Behavior on opacity { NumberAnimation { duration: 250; easing.type: Easing.InOutQuad } }

    color: Theme.banner
    border.color: Theme.bannerBorder
    border.width: Math.max(1, Math.round(unit * 0.15))
    radius: Math.round(unit * 1.5)
    height: content.implicitHeight + 2 * padding
    readonly property real padding: Math.round(unit * 2.2)

    onRunningChanged: {
        if (!running) {
            lingering = true
            lingerTimer.restart()
        }
    }
    Timer {
        id: lingerTimer
        interval: 6000
        onTriggered: panel.lingering = false
    }

    Column {
        id: content
        x: panel.padding
        y: panel.padding
        width: panel.width - 2 * panel.padding
        spacing: Math.round(panel.unit * 1.4)

        Text {
            objectName: "transferLine"
            width: parent.width
            text: panel.display.transferLine
            color: Theme.textPrimary
            font.pixelSize: Math.round(panel.unit * 3.2)
            wrapMode: Text.Wrap
            maximumLineCount: 2
            elide: Text.ElideRight
        }

        Rectangle {
            id: track
            objectName: "transferTrack"
            visible: panel.running
            width: parent.width
            height: Math.max(4, Math.round(panel.unit * 1.2))
            radius: height / 2
            color: Theme.panelBorder

            Rectangle {
                objectName: "transferFill"
                height: parent.height
                radius: parent.radius
                width: Math.max(height, parent.width * panel.display.transferFraction)
                color: Theme.inUse
                Behavior on width { NumberAnimation { duration: 150 } }
            }
        }
    }
}
