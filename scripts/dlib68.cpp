// Reference 68-point landmarks from dlib's shape predictor (iBUG 300-W model, Debian libdlib-data
// /usr/share/dlib/shape_predictor_68_face_landmarks.dat) for scripts/measure-face68.mjs.
// Usage: dlib68 MODEL.dat IMAGE.png...  -> one JSON line per image:
//   {"file": ..., "faces": [{"box": [l, t, r, b], "points": [[x, y], ... 68]}]}
// dlib's HOG frontal face detector (one pyramid up-sampling) gives the boxes, as in dlib's
// face_landmark_detection_ex.cpp. Build: g++ -O2 -o dlib68 dlib68.cpp $(pkg-config --cflags --libs dlib-1)
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing.h>
#include <dlib/image_io.h>
#include <iostream>

int main(int argc, char** argv) {
  if (argc < 3) { std::cerr << "usage: dlib68 model.dat image.png...\n"; return 2; }
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor sp;
  dlib::deserialize(argv[1]) >> sp;
  for (int i = 2; i < argc; ++i) {
    dlib::array2d<dlib::rgb_pixel> img;
    dlib::load_image(img, argv[i]);
    // Detect on the image up-sampled once (finds faces down to ~40 px), map the boxes back with the pyramid's own
    // transform (dlib's Python `detector(img, 1)` does the same), and fit the shapes on the original image.
    dlib::array2d<dlib::rgb_pixel> up;
    dlib::pyramid_down<2> pyr;
    dlib::pyramid_up(img, up, pyr);
    std::vector<dlib::rectangle> dets = detector(up);
    for (auto& r : dets) r = pyr.rect_down(r);
    std::cout << "{\"file\":\"" << argv[i] << "\",\"faces\":[";
    for (size_t d = 0; d < dets.size(); ++d) {
      dlib::full_object_detection s = sp(img, dets[d]);
      std::cout << (d ? "," : "") << "{\"box\":[" << dets[d].left() << "," << dets[d].top() << ","
                << dets[d].right() << "," << dets[d].bottom() << "],\"points\":[";
      for (unsigned k = 0; k < s.num_parts(); ++k)
        std::cout << (k ? "," : "") << "[" << s.part(k).x() << "," << s.part(k).y() << "]";
      std::cout << "]}";
    }
    std::cout << "]}" << std::endl;
  }
  return 0;
}
