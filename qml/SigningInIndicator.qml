pragma ComponentBehavior: Bound
import QtQuick

// The phone and this screen with a row of dots between them, one lit, stepping back and
// forth: the two are talking (the server's challenges go to the phone, its answers come
// back). The padlock on the phone is where the password stays. It steps a few times a
// second and draws nothing in between, so a screen left waiting doesn't redraw sixty
// times a second for a spinner; stopped, it shows every dot lit and redraws not at all.
Item {
    id: indicator

    // Off while hidden: no timer runs for nobody.
    property bool running: true
    property color color: Theme.textSecondary
    property color activeColor: Theme.inUse
    property color restingDotColor: Qt.rgba(Theme.textMuted.r, Theme.textMuted.g,
                                            Theme.textMuted.b, 0.35)
    property int stepInterval: 420

    readonly property int dotCount: 5
    // Position of the lit dot; goes 0..dotCount-1 and back, never wrapping with a jump.
    property int step: 0
    property int direction: 1

    readonly property real lineWidth: Math.max(2, Math.round(height * 0.035))

    implicitHeight: 120
    implicitWidth: Math.round(phone.width + dots.width + monitor.width + 2 * dots.gap)

    onRunningChanged: {
        step = 0
        direction = 1
    }

    Timer {
        interval: indicator.stepInterval
        repeat: true
        running: indicator.running
        onTriggered: {
            if (indicator.step + indicator.direction < 0
                    || indicator.step + indicator.direction >= indicator.dotCount)
                indicator.direction = -indicator.direction
            indicator.step += indicator.direction
        }
    }

    Rectangle {
        id: phone
        anchors.verticalCenter: parent.verticalCenter
        height: Math.round(indicator.height * 0.86)
        width: Math.round(height * 0.52)
        radius: Math.round(width * 0.16)
        color: "transparent"
        border.width: indicator.lineWidth
        border.color: indicator.color
        antialiasing: true

        // Earpiece slot.
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            y: Math.round(parent.height * 0.08)
            width: Math.round(parent.width * 0.28)
            height: indicator.lineWidth
            radius: height / 2
            color: indicator.color
        }

        Item {
            id: padlock
            anchors.centerIn: parent
            width: Math.round(phone.width * 0.42)
            height: Math.round(width * 1.15)

            // The shackle: the top half of a ring.
            Item {
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.round(padlock.width * 0.68)
                height: Math.round(width / 2 + indicator.lineWidth)
                clip: true
                Rectangle {
                    width: parent.width
                    height: width
                    radius: width / 2
                    color: "transparent"
                    border.width: indicator.lineWidth
                    border.color: Theme.available
                    antialiasing: true
                }
            }
            Rectangle {
                anchors.bottom: parent.bottom
                width: parent.width
                height: Math.round(parent.height * 0.58)
                radius: Math.round(width * 0.14)
                color: Theme.available
                antialiasing: true
            }
        }
    }

    Row {
        id: dots
        readonly property real gap: Math.round(indicator.height * 0.16)
        readonly property real dotSide: Math.max(4, Math.round(indicator.height * 0.1))
        x: phone.width + gap
        anchors.verticalCenter: parent.verticalCenter
        spacing: Math.round(dotSide * 0.9)

        Repeater {
            model: indicator.dotCount
            Rectangle {
                required property int index
                readonly property bool lit: !indicator.running || index === indicator.step
                width: dots.dotSide
                height: width
                radius: width / 2
                color: lit ? indicator.activeColor : indicator.restingDotColor
                antialiasing: true
            }
        }
    }

    // This screen: a monitor on a stand.
    Item {
        id: monitor
        x: dots.x + dots.width + dots.gap
        anchors.verticalCenter: parent.verticalCenter
        height: Math.round(indicator.height * 0.7)
        width: Math.round(height * 1.45)

        Rectangle {
            id: monitorFace
            width: parent.width
            height: Math.round(parent.height * 0.8)
            radius: Math.round(height * 0.08)
            color: "transparent"
            border.width: indicator.lineWidth
            border.color: indicator.color
            antialiasing: true
        }
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            y: monitorFace.height
            width: indicator.lineWidth
            height: parent.height - monitorFace.height - indicator.lineWidth
            color: indicator.color
        }
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottom: parent.bottom
            width: Math.round(parent.width * 0.36)
            height: indicator.lineWidth
            radius: height / 2
            color: indicator.color
        }
    }
}
